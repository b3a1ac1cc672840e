// The one rate-limited password check, for the API and page sign-in and for the account page's
// "current password": refused with 429 while a limit is used up, a wrong password counts against
// every limit, a right one clears `clearKey`.
import type { Deps } from "../deps";
import { checkRateLimit, clearRateLimit, countRateLimit, type Limit } from "../rate-limits/service";

export interface LimitedPasswordCheck {
  /** The stored hash; null (no user, or no password yet) never matches but costs the same time. */
  hash: string | null;
  password: string;
  limits: Limit[];
  /** The counter a right password clears (its failures were the user's own typos). */
  clearKey: string;
}

/** True when the password matches; throws 429 before hashing when a limit is used up. */
export async function verifyPasswordLimited(deps: Deps, check: LimitedPasswordCheck): Promise<boolean> {
  await checkRateLimit(deps, ...check.limits);
  const ok = await deps.hasher.verify(check.hash, check.password);
  if (!ok) {
    await countRateLimit(deps, ...check.limits);
    return false;
  }
  await clearRateLimit(deps, check.clearKey);
  return true;
}
