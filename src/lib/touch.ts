// "Last used" times (sessions of the account pages, webhook tokens) are written at most once a
// minute: a write transaction on every page view or delivery would cost more than the time is worth.
const TOUCH_EVERY_MS = 60_000;

/** Whether a row last used at `lastUsedAt` should have its time written again now. */
export function touchDue(lastUsedAt: number | null, now: number): boolean {
  return lastUsedAt === null || now - lastUsedAt >= TOUCH_EVERY_MS;
}
