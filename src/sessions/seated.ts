// The sessions holding a seat now, for the housekeeping that revokes sessions beyond a user's
// valid seats (src/maintenance/prune.ts), and deleting sessions nobody needs any more.
import { sql } from "drizzle-orm";
import { sessions } from "../../db/schema";
import type { Deps } from "../deps";
import { deleteInBatches } from "../lib/batches";
import { holdsSeatSql } from "../seats/seats";

const seated = (deps: Pick<Deps, "config">, now: number) => holdsSeatSql(now, deps.config.seatIdleTimeout * 1000);

/** Up to `limit` ids of users holding a seat now, in id order after `after` (for walking in batches). */
export async function usersHoldingSeats(deps: Deps, after: string, limit: number, now: number): Promise<string[]> {
  const rows = await deps.db.orm.all<{ userId: string }>(sql`
    SELECT DISTINCT user_id AS userId FROM sessions WHERE ${seated(deps, now)} AND user_id > ${after}
    ORDER BY user_id LIMIT ${limit}`);
  return rows.map((r) => r.userId);
}

/** Housekeeping: deletes sessions that expired or were revoked before `before` (prune). */
export async function deleteEndedSessions(deps: Pick<Deps, "db">, before: number): Promise<number> {
  return deleteInBatches(
    deps,
    sessions,
    sessions.id,
    sql`${sessions.expiresAt} < ${before} OR ${sessions.revokedAt} < ${before}`,
  );
}
