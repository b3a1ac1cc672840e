// Delivering the outbox. Due rows are claimed with a lock (locked_until) in one short write, so
// several processes never send one mail twice; each is then sent outside any transaction and
// marked sent, or retried later with exponential back-off. Delivery is at-least-once: a process
// that dies between the SMTP "250 OK" and the mark leaves the row to be sent again after the lock.
import { and, asc, eq, inArray, isNull, lt, lte } from "drizzle-orm";
import { mailOutbox } from "../../db/schema";
import type { Deps } from "../deps";
import { createBatchRunner, errorMessage, pollEvery, type BatchRunner, type Poller } from "../lib/batch-runner";
import { unseal } from "../lib/crypto";
import type { MailMessage } from "./transport";

/** What sending needs: everything but the runner itself (which is built from it in buildDeps). */
type SenderDeps = Omit<Deps, "outbox">;

export const MAX_ATTEMPTS = 12;
/** How long a claim lasts: longer than the transport's worst-case send time. */
export const LOCK_MS = 2 * 60_000;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_CAP_MS = 60 * 60_000;
const BATCH = 20;

/** Delay before attempt `attempts + 1`: 30 s, 1 min, 2 min, … capped at 1 h (about 7 h in all). */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

async function claimDue(deps: SenderDeps, limit: number) {
  const now = deps.clock.now();
  const isDue = and(
    isNull(mailOutbox.sentAt),
    lt(mailOutbox.attempts, MAX_ATTEMPTS),
    lte(mailOutbox.nextAttemptAt, now),
    lte(mailOutbox.lockedUntil, now),
  );
  // A plain read first: the poller runs every few seconds in every process, and an empty outbox
  // (the usual case) must not take the write lock from real requests.
  const [any] = await deps.db.orm.select({ id: mailOutbox.id }).from(mailOutbox).where(isDue).limit(1);
  if (!any) return [];
  return deps.db.write(async (tx) => {
    const due = tx
      .select({ id: mailOutbox.id })
      .from(mailOutbox)
      .where(isDue)
      .orderBy(asc(mailOutbox.nextAttemptAt))
      .limit(limit);
    return tx
      .update(mailOutbox)
      .set({ lockedUntil: now + LOCK_MS })
      .where(and(inArray(mailOutbox.id, due), lte(mailOutbox.lockedUntil, now)))
      .returning();
  });
}

type Claimed = Awaited<ReturnType<typeof claimDue>>[number];

async function markSent(deps: SenderDeps, id: string) {
  const now = deps.clock.now();
  await deps.db.write((tx) =>
    tx.update(mailOutbox).set({ sentAt: now, lockedUntil: 0, lastError: null }).where(eq(mailOutbox.id, id)),
  );
}

async function markFailed(deps: SenderDeps, row: Claimed, error: unknown, permanent = false) {
  const attempts = permanent ? MAX_ATTEMPTS : row.attempts + 1;
  const lastError = errorMessage(error);
  const nextAttemptAt = deps.clock.now() + backoffMs(attempts);
  await deps.db.write((tx) =>
    tx.update(mailOutbox).set({ attempts, nextAttemptAt, lockedUntil: 0, lastError }).where(eq(mailOutbox.id, row.id)),
  );
  const fields = { id: row.id, kind: row.kind, attempts, error: lastError };
  if (attempts >= MAX_ATTEMPTS) deps.log.error("MAIL GIVEN UP: not sending it again", fields);
  else deps.log.warn("mail not sent; will retry", { ...fields, retryInSeconds: backoffMs(attempts) / 1000 });
}

async function deliver(deps: SenderDeps, row: Claimed): Promise<boolean> {
  let message: MailMessage;
  try {
    message = {
      to: row.to,
      ...(JSON.parse(unseal(deps.keys.secretKey, row.messageSealed)) as Omit<MailMessage, "to">),
    };
  } catch {
    // Sealed with another SECRET_KEY: no retry will ever read it.
    await markFailed(deps, row, new Error("cannot unseal the message (SECRET_KEY changed?)"), true);
    return false;
  }
  try {
    await deps.mailer.send(message);
  } catch (error) {
    await markFailed(deps, row, error);
    return false;
  }
  await markSent(deps, row.id);
  return true;
}

export interface OutboxRun {
  sent: number;
  failed: number;
}

/** Claims one batch of due mail and tries each once. */
export async function processOutbox(deps: SenderDeps, limit = BATCH): Promise<OutboxRun & { claimed: number }> {
  const rows = await claimDue(deps, limit);
  let sent = 0;
  for (const row of rows) if (await deliver(deps, row)) sent++;
  return { claimed: rows.length, sent, failed: rows.length - sent };
}

/** The background sender of one process: deps.outbox. */
export type Outbox = BatchRunner;

export function createOutbox(deps: SenderDeps): Outbox {
  return createBatchRunner({
    name: "mail outbox",
    batchSize: BATCH,
    log: deps.log,
    processBatch: () => processOutbox(deps),
  });
}

/** The dependencies with their outbox runner, which reads that very object (so swapping its mailer takes effect). */
export function withOutbox(base: SenderDeps): Deps {
  return Object.assign(base, { outbox: createOutbox(base) });
}

/** Sends everything due now, after the background run (scripts call this before exit). */
export function flushOutbox(deps: Deps): Promise<OutboxRun> {
  return deps.outbox.flush();
}

/** Polls the outbox every `intervalMs` (retries, and mail queued by other processes). */
export function startMailWorker(deps: Deps, intervalMs = 5_000): Poller {
  return pollEvery(deps.outbox, intervalMs);
}
