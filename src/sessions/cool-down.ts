// Announcing seats that have finished cooling down (README "Events out"). A seat given back by
// logout, revocation or a refresh that lost it stays counted until the last access token issued
// with it expires; only then can someone else take it. The session was marked with that time
// (seat_free_announce_at) when it let go; here each mark that has passed is cleared and its
// `seat.released` (reason cool_down_ended) queued in the same write transaction, so every process
// may run this — the server's poller, `prune-sessions` — and each seat is announced exactly once.
import { and, asc, inArray, isNotNull, lte } from "drizzle-orm";
import { sessions } from "../../db/schema";
import type { Deps } from "../deps";
import { queueEventsIn } from "../events/outbox";
import type { SeatkeyEvent } from "../events/types";
import { createBatchRunner, pollEvery, type Poller } from "../lib/batch-runner";

const BATCH = 100;

/** The database and the time; with full deps the event sender starts right after each commit. */
type AnnounceDeps = Pick<Deps, "db" | "clock"> | Deps;

const dueWhere = (now: number) => and(isNotNull(sessions.seatFreeAnnounceAt), lte(sessions.seatFreeAnnounceAt, now));

/** Announces up to `limit` seats whose cool-down has ended; returns how many. */
export async function announceCoolDownsEnded(deps: AnnounceDeps, limit = BATCH): Promise<number> {
  const now = deps.clock.now();
  // A plain read first: every process polls, and nothing due (the usual case) must not take the
  // write lock from real requests.
  const [any] = await deps.db.orm.select({ id: sessions.id }).from(sessions).where(dueWhere(now)).limit(1);
  if (!any) return 0;
  return deps.db.write(async (tx) => {
    const due = await tx
      .select({
        id: sessions.id,
        userId: sessions.userId,
        productId: sessions.productId,
        freedAt: sessions.seatFreeAnnounceAt,
      })
      .from(sessions)
      .where(dueWhere(now))
      .orderBy(asc(sessions.seatFreeAnnounceAt))
      .limit(limit);
    if (due.length === 0) return 0;
    await tx
      .update(sessions)
      .set({ seatFreeAnnounceAt: null })
      .where(
        inArray(
          sessions.id,
          due.map((s) => s.id),
        ),
      );
    const events: SeatkeyEvent[] = due.map((s) => ({
      type: "seat.released",
      data: {
        userId: s.userId,
        sessionId: s.id,
        productId: s.productId,
        reason: "cool_down_ended",
        cooling: false,
        seatFreeAt: s.freedAt ?? now,
      },
    }));
    await queueEventsIn(tx, deps, events);
    return due.length;
  });
}

/** Every seat whose cool-down has ended (prune-sessions); returns how many were announced. */
export async function announceAllCoolDownsEnded(deps: AnnounceDeps): Promise<number> {
  for (let total = 0; ;) {
    const announced = await announceCoolDownsEnded(deps);
    total += announced;
    if (announced < BATCH) return total;
  }
}

/** The server's poller: announces ended cool-downs within `intervalMs` of their end. */
export function startCoolDownWorker(deps: Deps, intervalMs = 5_000): Poller {
  const runner = createBatchRunner({
    name: "seat cool-down",
    batchSize: BATCH,
    log: deps.log,
    processBatch: async () => {
      const announced = await announceCoolDownsEnded(deps);
      return { claimed: announced, sent: announced };
    },
  });
  return pollEvery(runner, intervalMs);
}
