// A user's licenses with seats used/total, for /api/auth/me and the account page.
import { eq } from "drizzle-orm";
import { licenses } from "../../db/schema";
import type { Deps } from "../deps";
import { countSeatsUsed } from "./seats";

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

export async function seatSummary(deps: Deps, userId: string): Promise<SeatSummary> {
  const now = deps.clock.now();
  const rows = await deps.db.orm.select().from(licenses).where(eq(licenses.userId, userId));
  const scope = { userId, now, idleTimeoutMs: deps.config.seatIdleTimeout * 1000 };
  const usedByProduct = new Map<string, number>();
  for (const productId of new Set(rows.map((l) => l.productId))) {
    usedByProduct.set(productId, await countSeatsUsed(deps.db.orm, { ...scope, productId }));
  }
  return {
    licenses: rows.map((l) => ({
      id: l.id,
      productId: l.productId,
      seats: l.seats,
      validUntil: l.validUntil,
      valid: l.validUntil > now,
      seatsUsed: usedByProduct.get(l.productId) ?? 0,
    })),
    seats: {
      total: rows.filter((l) => l.validUntil > now).reduce((sum, l) => sum + l.seats, 0),
      used: await countSeatsUsed(deps.db.orm, { ...scope, productId: null }),
    },
  };
}
