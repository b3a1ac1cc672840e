// Seat usage and activity at a glance (`bun run admin stats`, GET /api/admin/stats). Read-only
// counts over several tables in plain SQL (no table is imported here: each stays with its owner).
import { sql } from "drizzle-orm";
import type { Deps } from "../deps";
import { holdsSeatSql } from "../seats/seats";

const DAY = 86_400_000;
const DAYS = 7;

export interface Stats {
  users: { total: number; active: number };
  activeLicenses: number;
  /** Per product: seats of valid licenses, and seats held now. */
  seats: { productId: string; used: number; total: number }[];
  liveSessions: number;
  /** The last 7 days (UTC), oldest first: successful and failed logins. */
  days: { day: string; logins: number; failedLogins: number }[];
  sessionsRefreshedToday: number;
}

export async function stats(deps: Deps): Promise<Stats> {
  const now = deps.clock.now();
  const holds = holdsSeatSql(now, deps.config.seatIdleTimeout * 1000);
  const since = Math.floor(now / DAY) * DAY - (DAYS - 1) * DAY;
  const all = <T>(query: ReturnType<typeof sql>) => deps.db.orm.all<T>(query);
  const [[counts], seats, days] = await Promise.all([
    all<Record<string, number>>(sql`SELECT
      (SELECT count(*) FROM users) AS users,
      (SELECT count(*) FROM users WHERE status = 'ACTIVE') AS active,
      (SELECT count(*) FROM licenses WHERE valid_until > ${now}) AS licenses,
      (SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > ${now}) AS live,
      (SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND last_used_at >= ${Math.floor(now / DAY) * DAY}) AS today`),
    all<{ productId: string; total: number; used: number }>(sql`
      SELECT p.product_id AS productId,
        (SELECT coalesce(sum(seats), 0) FROM licenses WHERE product_id = p.product_id AND valid_until > ${now}) AS total,
        (SELECT count(*) FROM sessions WHERE product_id = p.product_id AND ${holds}) AS used
      FROM (SELECT product_id FROM licenses UNION SELECT product_id FROM sessions WHERE product_id IS NOT NULL) p
      ORDER BY p.product_id`),
    all<{ day: number; logins: number; failed: number }>(sql`
      SELECT at / ${DAY} AS day, sum(event = 'login.succeeded') AS logins, sum(event = 'login.failed') AS failed
      FROM audit_log WHERE at >= ${since} AND event IN ('login.succeeded', 'login.failed') GROUP BY at / ${DAY}`),
  ]);
  const byDay = new Map(days.map((d) => [Number(d.day), d]));
  return {
    users: { total: Number(counts?.users ?? 0), active: Number(counts?.active ?? 0) },
    activeLicenses: Number(counts?.licenses ?? 0),
    seats: seats.map((s) => ({ productId: s.productId, used: Number(s.used), total: Number(s.total) })),
    liveSessions: Number(counts?.live ?? 0),
    days: Array.from({ length: DAYS }, (_, i) => {
      const day = since / DAY + i;
      const row = byDay.get(day);
      return {
        day: new Date(day * DAY).toISOString().slice(0, 10),
        logins: Number(row?.logins ?? 0),
        failedLogins: Number(row?.failed ?? 0),
      };
    }),
    sessionsRefreshedToday: Number(counts?.today ?? 0),
  };
}
