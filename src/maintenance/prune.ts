// Housekeeping for `bun run prune-sessions` (and cron). Every step is short write transactions in
// batches, and every step is idempotent: runs may overlap, repeat or be interrupted, and the end
// state is the same.
//   1. Seats: once licenses expire (or shrink), revoke the least recently used sessions still
//      holding a seat beyond the user's valid seats (reason `seats_exceeded`), by the login's own
//      seat rule (decideSeat).
//   2. Delete what nobody needs any more, each table through its owner: sessions expired or
//      revoked more than RETENTION_MS ago, used or expired email tokens, rate-limit counters whose
//      window is over, webhook event records older than RETENTION_MS, and mail sent more than
//      RETENTION_MS ago.
import type { Orm } from "../../db/client";
import type { Deps } from "../deps";
import { deleteSentMail } from "../mail/outbox";
import { deleteSpentEmailTokens } from "../passwords/email-tokens";
import { deleteStaleRateLimits } from "../rate-limits/service";
import { decideSeat, seatScope } from "../seats/seats";
import { revokeSessionIn } from "../sessions/revoke";
import { deleteEndedSessions, seatedSessions, usersHoldingSeats } from "../sessions/seated";
import { deleteOldWebhookEvents } from "../webhooks/idempotency";

export const RETENTION_MS = 30 * 86_400_000;
const USER_BATCH = 100;

export interface PruneCounts {
  seatsRevoked: number;
  sessionsDeleted: number;
  emailTokensDeleted: number;
  rateLimitsDeleted: number;
  webhookEventsDeleted: number;
  mailDeleted: number;
}

export async function prune(deps: Deps): Promise<PruneCounts> {
  const now = deps.clock.now();
  const old = now - RETENTION_MS;
  const longestWindowMs = Math.max(...Object.values(deps.config.rateLimits).map((r) => r.window)) * 1000;
  return {
    seatsRevoked: await revokeExcessSeats(deps, now),
    sessionsDeleted: await deleteEndedSessions(deps, old),
    emailTokensDeleted: await deleteSpentEmailTokens(deps, now),
    rateLimitsDeleted: await deleteStaleRateLimits(deps, now - longestWindowMs, now),
    webhookEventsDeleted: await deleteOldWebhookEvents(deps, old),
    mailDeleted: await deleteSentMail(deps, old),
  };
}

/** Walks the users holding seats in batches; only those over their seats get a write transaction. */
async function revokeExcessSeats(deps: Deps, now: number): Promise<number> {
  let revoked = 0;
  for (let after = ""; ;) {
    const batch = await usersHoldingSeats(deps, after, USER_BATCH, now);
    if (batch.length === 0) return revoked;
    after = batch[batch.length - 1] ?? after;
    for (const userId of batch) {
      // Decided on a read first (cheap, no lock), then again inside the transaction (authoritative).
      if (!(await overSeats(deps.db.orm, deps, userId, now))) continue;
      revoked += await deps.db.write(async (tx) => {
        let n = 0;
        // Least recently used first: each one that no longer fits beside the others goes, and
        // the next is judged without it.
        for (const s of await seatedSessions(tx, deps, userId, now)) {
          if (!(await decideSeat(tx, seatScope(deps, userId, s.productId, s.id))).limited) continue;
          if (await revokeSessionIn(tx, deps, s.id, { reason: "seats_exceeded", actor: "system" })) n++;
        }
        return n;
      });
    }
  }
}

/**
 * Whether some seated session of the user would not be seated beside the others. Sessions of one
 * product (or of none) share a scope, so one of each is enough to ask.
 */
async function overSeats(db: Pick<Orm, "all">, deps: Deps, userId: string, now: number): Promise<boolean> {
  const oneOfEachScope = new Map((await seatedSessions(db, deps, userId, now)).map((s) => [s.productId, s.id]));
  for (const [productId, sessionId] of oneOfEachScope) {
    if ((await decideSeat(db, seatScope(deps, userId, productId, sessionId))).limited) return true;
  }
  return false;
}
