// Housekeeping for `bun run prune-sessions` (and cron). Every step is short write transactions in
// batches, and every step is idempotent: runs may overlap, repeat or be interrupted, and the end
// state is the same.
//   1. Seats: once licenses expire (or shrink), revoke the least recently used sessions still
//      holding a seat beyond the user's valid seats (reason `seats_exceeded`).
//   2. Delete what nobody needs any more: sessions expired or revoked more than RETENTION_MS ago,
//      used or expired email tokens, rate-limit counters whose window is over, webhook event
//      records older than RETENTION_MS, and mail sent more than RETENTION_MS ago.
import { sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Tx } from "../../db/client";
import { emailTokens, mailOutbox, rateLimits, sessions, webhookEvents } from "../../db/schema";
import type { Deps } from "../deps";
import { holdsSeatSql } from "../seats/seats";
import { revokeSessionsIn } from "../sessions/revoke";

export const RETENTION_MS = 30 * 86_400_000;
const DELETE_BATCH = 500;
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
    sessionsDeleted: await deleteInBatches(
      deps,
      sessions,
      sessions.id,
      sql`${sessions.expiresAt} < ${old} OR ${sessions.revokedAt} < ${old}`,
    ),
    emailTokensDeleted: await deleteInBatches(
      deps,
      emailTokens,
      emailTokens.id,
      sql`${emailTokens.usedAt} IS NOT NULL OR ${emailTokens.expiresAt} <= ${now}`,
    ),
    rateLimitsDeleted: await deleteInBatches(
      deps,
      rateLimits,
      rateLimits.key,
      sql`${rateLimits.windowStart} <= ${now - longestWindowMs} AND ${rateLimits.blockedUntil} <= ${now}`,
    ),
    webhookEventsDeleted: await deleteInBatches(
      deps,
      webhookEvents,
      webhookEvents.key,
      sql`${webhookEvents.createdAt} < ${old}`,
    ),
    mailDeleted: await deleteInBatches(
      deps,
      mailOutbox,
      mailOutbox.id,
      sql`${mailOutbox.sentAt} IS NOT NULL AND ${mailOutbox.sentAt} < ${old}`,
    ),
  };
}

async function deleteInBatches(deps: Deps, table: SQLiteTable, key: SQLiteColumn, where: SQL): Promise<number> {
  let deleted = 0;
  for (;;) {
    const result = await deps.db.write((tx) =>
      tx.run(
        sql`DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${DELETE_BATCH})`,
      ),
    );
    deleted += result.rowsAffected;
    if (result.rowsAffected < DELETE_BATCH) return deleted;
  }
}

type Reader = Pick<Tx, "all">;

// Holding a seat (SPEC §5): the one rule of src/seats/seats.ts.
const seated = (deps: Deps, now: number) => holdsSeatSql(now, deps.config.seatIdleTimeout * 1000);

/** Walks the users holding seats in batches; only those over their seats get a write transaction. */
async function revokeExcessSeats(deps: Deps, now: number): Promise<number> {
  let revoked = 0;
  for (let after = ""; ;) {
    const batch = await deps.db.orm.all<{ userId: string }>(sql`
      SELECT DISTINCT user_id AS userId FROM sessions WHERE ${seated(deps, now)} AND user_id > ${after}
      ORDER BY user_id LIMIT ${USER_BATCH}`);
    if (batch.length === 0) return revoked;
    after = batch[batch.length - 1]?.userId ?? after;
    for (const { userId } of batch) {
      // Decided on a read first (cheap, no lock), then again inside the transaction (authoritative).
      if ((await excessSessions(deps.db.orm, deps, userId, now)).length === 0) continue;
      revoked += await deps.db.write(async (tx) => {
        const excess = await excessSessions(tx, deps, userId, now);
        return revokeSessionsIn(tx, deps, excess, { reason: "seats_exceeded", actor: "system" });
      });
    }
  }
}

/**
 * The seated sessions of a user beyond their valid seats, least recently used first out. A session
 * that named a product is held to that product's seats; then all seated sessions together are held
 * to the seats of every valid license (the two scopes a login is admitted under).
 */
async function excessSessions(db: Reader, deps: Deps, userId: string, now: number): Promise<string[]> {
  const held = await db.all<{ id: string; productId: string | null }>(sql`
    SELECT id, product_id AS productId FROM sessions WHERE user_id = ${userId} AND ${seated(deps, now)}
    ORDER BY last_used_at DESC, created_at DESC, id`);
  const valid = await db.all<{ productId: string; seats: number }>(sql`
    SELECT product_id AS productId, seats FROM licenses WHERE user_id = ${userId} AND valid_until > ${now}`);
  const seatsOf = (productId: string | null) =>
    valid.filter((l) => productId === null || l.productId === productId).reduce((sum, l) => sum + l.seats, 0);

  const excess: string[] = [];
  const kept: string[] = [];
  const usedByProduct = new Map<string, number>();
  for (const s of held) {
    const used = s.productId === null ? 0 : (usedByProduct.get(s.productId) ?? 0);
    if (s.productId !== null && used >= seatsOf(s.productId)) {
      excess.push(s.id);
      continue;
    }
    if (s.productId !== null) usedByProduct.set(s.productId, used + 1);
    kept.push(s.id);
  }
  return [...excess, ...kept.slice(seatsOf(null))];
}
