// A user's licenses with seats used/total, for /api/auth/me and the account page.
import { sql } from "drizzle-orm";
import type { Deps } from "../deps";
import { holdsSeatSql } from "./seats";

export interface LicenseSummary {
  id: string;
  productId: string;
  seats: number;
  validUntil: number;
  valid: boolean;
  /** Seats held now by sessions that named this product or none (shared by its licenses). */
  seatsUsed: number;
}

export interface SeatSummary {
  licenses: LicenseSummary[];
  /** Over every valid license: seats in total and held now by any app session. */
  seats: { total: number; used: number };
}

interface SummaryRow {
  id: string | null;
  productId: string | null;
  seats: number | null;
  validUntil: number | null;
  productUsed: number;
  used: number;
}

/** One statement (each driver call costs more than these indexed counts): a row per license. */
export async function seatSummary(deps: Deps, userId: string): Promise<SeatSummary> {
  const now = deps.clock.now();
  const holds = holdsSeatSql(now, deps.config.seatIdleTimeout * 1000);
  // LEFT JOIN from one row, so a user without licenses still gets the overall count.
  // Unqualified columns inside the subqueries resolve to `sessions`.
  const rows = await deps.db.orm.all<SummaryRow>(sql`
    SELECT l.id, l.product_id AS productId, l.seats, l.valid_until AS validUntil,
      (SELECT count(*) FROM sessions WHERE user_id = ${userId} AND ${holds}
        AND (product_id = l.product_id OR product_id IS NULL)) AS productUsed,
      (SELECT count(*) FROM sessions WHERE user_id = ${userId} AND ${holds}) AS used
    FROM (SELECT 1) LEFT JOIN licenses l ON l.user_id = ${userId}`);
  const licenses = rows
    .filter(
      (r): r is SummaryRow & { id: string; productId: string; seats: number; validUntil: number } => r.id !== null,
    )
    .map((l) => ({
      id: l.id,
      productId: l.productId,
      seats: l.seats,
      validUntil: l.validUntil,
      valid: l.validUntil > now,
      seatsUsed: Number(l.productUsed),
    }));
  return {
    licenses,
    seats: {
      total: licenses.filter((l) => l.valid).reduce((sum, l) => sum + l.seats, 0),
      used: Number(rows[0]?.used ?? 0),
    },
  };
}
