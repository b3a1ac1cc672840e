// The sessions holding a seat now, for the housekeeping that revokes sessions beyond a user's
// valid seats (src/maintenance/prune.ts), and deleting sessions nobody needs any more.
import { sql } from "drizzle-orm";
import type { Orm } from "../../db/client";
import { sessions } from "../../db/schema";
import type { Deps } from "../deps";
import { deleteInBatches } from "../lib/batches";
import { holdsSeatSql } from "../seats/seats";

type Reader = Pick<Orm, "all">;

const seated = (deps: Pick<Deps, "config">, now: number) => holdsSeatSql(now, deps.config.seatIdleTimeout * 1000);

/** Up to `limit` ids of users holding a seat now, in id order after `after` (for walking in batches). */
export async function usersHoldingSeats(deps: Deps, after: string, limit: number, now: number): Promise<string[]> {
  const rows = await deps.db.orm.all<{ userId: string }>(sql`
    SELECT DISTINCT user_id AS userId FROM sessions WHERE ${seated(deps, now)} AND user_id > ${after}
    ORDER BY user_id LIMIT ${limit}`);
  return rows.map((r) => r.userId);
}

/** A user's sessions holding a seat now, least recently used first. */
export async function seatedSessions(
  db: Reader,
  deps: Pick<Deps, "config">,
  userId: string,
  now: number,
): Promise<{ id: string; productId: string | null }[]> {
  return db.all(sql`
    SELECT id, product_id AS productId FROM sessions WHERE user_id = ${userId} AND ${seated(deps, now)}
    ORDER BY last_used_at, created_at, id DESC`);
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
