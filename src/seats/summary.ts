// A user's seats per product and per license, for /api/auth/me, the account page and the admin API.
// The counts add up: `seats.used` is the sum over products, and each license's `seatsUsed` is its
// share of its product's (a seat is a seat of one product, never of two).
import type { Deps } from "../deps";
import { readSeatRows, seatScope } from "./seats";
import { tallyProducts, usedSeats, type ProductTally } from "./tally";

export interface LicenseSummary {
  id: string;
  productId: string;
  seats: number;
  validUntil: number;
  valid: boolean;
  /** This license's share of its product's used seats (filled longest-running first). */
  seatsUsed: number;
}

export interface ProductSeats {
  productId: string;
  /** Seats of its licenses valid now. */
  seats: number;
  /** Seats held now plus seats cooling down (released, their last access token not yet expired). */
  used: number;
  cooling: number;
  /** When the first cooling seat frees (Unix ms); null when none is cooling. */
  seatFreeAt: number | null;
  /** The latest validUntil of its licenses. */
  validUntil: number;
}

export interface SeatSummary {
  licenses: LicenseSummary[];
  products: ProductSeats[];
  /** Sums over the products. */
  seats: { total: number; used: number };
}

export async function seatSummary(deps: Deps, userId: string): Promise<SeatSummary> {
  const scope = seatScope(deps, userId, null);
  const rows = await readSeatRows(deps.db.orm, scope);
  const tallies = tallyProducts(rows.licenses, rows.sessions, scope.now).sort((a, b) =>
    a.productId.localeCompare(b.productId),
  );
  const products = tallies.map((p) => ({
    productId: p.productId,
    seats: p.seats,
    used: usedSeats(p),
    cooling: p.cooling.length,
    seatFreeAt: p.cooling[0] ?? null,
    validUntil: p.validUntil,
  }));
  return {
    licenses: tallies.flatMap((p) => shareOut(p, rows.licenses, scope.now)),
    products,
    seats: {
      total: products.reduce((sum, p) => sum + p.seats, 0),
      used: products.reduce((sum, p) => sum + p.used, 0),
    },
  };
}

/**
 * The product's licenses, valid ones first and longest-running first, each taking its part of the
 * product's used seats up to its own seats; any excess (seats shrank or expired, not yet
 * re-evaluated) stays with the first, so the parts always add up to the product's count.
 */
function shareOut(
  p: ProductTally,
  all: { id: string; productId: string; seats: number; validUntil: number }[],
  now: number,
) {
  const own = all
    .filter((l) => l.productId === p.productId)
    .map((l) => ({ ...l, valid: l.validUntil > now, seatsUsed: 0 }))
    .sort((a, b) => Number(b.valid) - Number(a.valid) || b.validUntil - a.validUntil);
  let left = usedSeats(p);
  for (const l of own) {
    l.seatsUsed = l.valid ? Math.min(l.seats, left) : 0;
    left -= l.seatsUsed;
  }
  if (own[0]) own[0].seatsUsed += left;
  return own;
}
