// Housekeeping for `bun run prune-sessions` (and cron). Every step is short write transactions in
// batches, and every step is idempotent: runs may overlap, repeat or be interrupted, and the end
// state is the same.
//   1. Seats: once licenses expire (or shrink), revoke the least recently used sessions still
//      holding a seat beyond their product's valid seats (reason `seats_exceeded`), by the one seat
//      rule (excessSeatedSessions). Seats whose cool-down has ended are announced (seat.released,
//      reason cool_down_ended) — the server's poller does this too; whoever comes first, once.
//   2. Delete what nobody needs any more, each table through its owner: sessions expired or
//      revoked more than RETENTION_MS ago, used or expired email tokens, rate-limit counters whose
//      window is over, webhook event records older than RETENTION_MS, mail sent more than
//      RETENTION_MS ago, and store events past STORE_EVENTS_RETENTION (unhandled ones: a year).
import type { Deps } from "../deps";
import { deleteSentMail } from "../mail/outbox";
import { deleteSpentEmailTokens } from "../passwords/email-tokens";
import { deleteStaleRateLimits } from "../rate-limits/service";
import { excessSeatedSessions } from "../seats/seats";
import { announceAllCoolDownsEnded } from "../sessions/cool-down";
import { revokeSessionsIn } from "../sessions/revoke";
import { deleteEndedSessions, usersHoldingSeats } from "../sessions/seated";
import { deleteOldStoreEvents } from "../stores/log";
import { deleteOldWebhookEvents } from "../webhooks/idempotency";

export const RETENTION_MS = 30 * 86_400_000;
const USER_BATCH = 100;

export interface PruneCounts {
  seatsRevoked: number;
  coolDownsEnded: number;
  sessionsDeleted: number;
  emailTokensDeleted: number;
  rateLimitsDeleted: number;
  webhookEventsDeleted: number;
  mailDeleted: number;
  storeEventsDeleted: number;
}

export async function prune(deps: Deps): Promise<PruneCounts> {
  const now = deps.clock.now();
  const old = now - RETENTION_MS;
  const longestWindowMs = Math.max(...Object.values(deps.config.rateLimits).map((r) => r.window)) * 1000;
  return {
    seatsRevoked: await revokeExcessSeats(deps, now),
    coolDownsEnded: await announceAllCoolDownsEnded(deps),
    sessionsDeleted: await deleteEndedSessions(deps, old),
    emailTokensDeleted: await deleteSpentEmailTokens(deps, now),
    rateLimitsDeleted: await deleteStaleRateLimits(deps, now - longestWindowMs),
    webhookEventsDeleted: await deleteOldWebhookEvents(deps, old),
    mailDeleted: await deleteSentMail(deps, old),
    storeEventsDeleted: await deleteOldStoreEvents(deps, now),
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
      if ((await excessSeatedSessions(deps.db.orm, deps, userId)).length === 0) continue;
      revoked += await deps.db.write(async (tx) =>
        revokeSessionsIn(tx, deps, await excessSeatedSessions(tx, deps, userId), {
          reason: "seats_exceeded",
          actor: "system",
        }),
      );
    }
  }
}
