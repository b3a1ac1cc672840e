// The seat rule as plain functions over what src/seats/seats.ts reads in one statement: a user's
// licenses and the sessions counting against their seats. No database, no clock of its own.
//
// A seat is always a seat of one product. Per product:
//   total   = sum of `seats` over its licenses valid now
//   active  = its sessions holding a seat now (app, live, not limited, refreshed within SEAT_IDLE_TIMEOUT)
//   cooling = its sessions that no longer hold a seat but whose last seat-carrying access token is
//             still valid (logout, revocation, idle): the seat stays counted until that token expires,
//             so there are never more usable tokens than seats (off with SEAT_RELEASE=immediate)
//   used    = active + cooling
import type { LimitedReason } from "../../db/schema";

/** A license as the access token carries it (valid ones only). */
export interface LicenseClaim {
  productId: string;
  validUntil: number;
}

export interface LicenseRow {
  productId: string;
  seats: number;
  validUntil: number;
}

export interface CountedSession {
  productId: string | null;
  /** Holds a seat now; otherwise it is cooling down until `seatTokenExpiresAt`. */
  active: boolean;
  seatTokenExpiresAt: number | null;
}

export interface ProductTally {
  productId: string;
  /** Seats of the licenses valid now. */
  seats: number;
  active: number;
  /** Expiry times of the cooling seats, earliest first. */
  cooling: number[];
  /** The latest validUntil of its licenses (valid or not). */
  validUntil: number;
}

export interface SeatDecision {
  limited: boolean;
  limitedReason: LimitedReason | null;
  /** The product whose seat the session holds; null when limited. */
  product: string | null;
  /** The product the session belongs to from now on; null: choose again at its next refresh. */
  sessionProduct: string | null;
  /** Free seats of the product left after this decision. */
  remaining: number;
  /** When limited by seats cooling down: when the first of them frees (Unix ms). */
  seatFreeAt: number | null;
  /** The valid licenses of `product`, for the access token; none when limited. */
  licenses: LicenseClaim[];
}

/** Per product the user has a license of (valid or not): seats, active and cooling sessions. */
export function tallyProducts(licenses: LicenseRow[], sessions: CountedSession[], now: number): ProductTally[] {
  const byProduct = new Map<string, ProductTally>();
  for (const l of licenses) {
    const p = byProduct.get(l.productId) ?? { productId: l.productId, seats: 0, active: 0, cooling: [], validUntil: 0 };
    if (l.validUntil > now) p.seats += l.seats;
    p.validUntil = Math.max(p.validUntil, l.validUntil);
    byProduct.set(l.productId, p);
  }
  for (const s of sessions) {
    const p = s.productId === null ? undefined : byProduct.get(s.productId);
    if (!p) continue; // no license of it at all: it holds nothing anyone could take
    if (s.active) p.active += 1;
    else if (s.seatTokenExpiresAt !== null) p.cooling.push(s.seatTokenExpiresAt);
  }
  for (const p of byProduct.values()) p.cooling.sort((a, b) => a - b);
  return [...byProduct.values()];
}

export const usedSeats = (p: ProductTally) => p.active + p.cooling.length;

/** When the seats of `p` cooling down free enough for one more session; null if they never will alone. */
function seatFreeAt(p: ProductTally): number | null {
  const used = usedSeats(p);
  if (p.active >= p.seats || used < p.seats) return null;
  return p.cooling[used - p.seats] ?? null;
}

const limited = (limitedReason: LimitedReason, sessionProduct: string | null, freeAt: number | null = null) => ({
  limited: true,
  limitedReason,
  product: null,
  sessionProduct,
  remaining: 0,
  seatFreeAt: freeAt,
  licenses: [],
});

/** A session of product `p` (undefined: the user has no license of it) takes a seat, or is limited. */
function decideFor(p: ProductTally | undefined, productId: string, licenses: LicenseRow[], now: number): SeatDecision {
  if (!p) return limited("no_license", productId);
  if (p.seats === 0) return limited("expired", productId);
  const freeAt = seatFreeAt(p);
  if (freeAt !== null) return limited("seat_cooling_down", productId, freeAt);
  if (usedSeats(p) >= p.seats) return limited("no_free_seat", productId);
  return {
    limited: false,
    limitedReason: null,
    product: productId,
    sessionProduct: productId,
    remaining: p.seats - usedSeats(p) - 1,
    seatFreeAt: null,
    licenses: licenses
      .filter((l) => l.productId === productId && l.validUntil > now)
      .map((l) => ({ productId: l.productId, validUntil: l.validUntil })),
  };
}

/**
 * The seat decision for a session of `productId` — or, when null, of one product the user holds:
 * the only one, else the one with a free seat whose license runs longest.
 */
export function decide(
  productId: string | null,
  licenses: LicenseRow[],
  sessions: CountedSession[],
  now: number,
): SeatDecision {
  const products = tallyProducts(licenses, sessions, now);
  if (productId !== null)
    return decideFor(
      products.find((p) => p.productId === productId),
      productId,
      licenses,
      now,
    );
  const held = products.filter((p) => p.seats > 0);
  if (held.length === 0) return limited(products.length === 0 ? "no_license" : "expired", null);
  const [only] = held;
  if (only && held.length === 1) return decideFor(only, only.productId, licenses, now);
  const free = held
    .filter((p) => usedSeats(p) < p.seats)
    .sort((a, b) => b.validUntil - a.validUntil || a.productId.localeCompare(b.productId));
  if (free[0]) return decideFor(free[0], free[0].productId, licenses, now);
  const freeAts = held.map(seatFreeAt).filter((t): t is number => t !== null);
  return freeAts.length > 0 ? limited("seat_cooling_down", null, Math.min(...freeAts)) : limited("no_free_seat", null);
}

/**
 * The seated sessions (most recently used first) beyond their product's valid seats, least recently
 * used first out. A session of a product without valid seats is beyond them.
 */
export function excessSessions<T extends { productId: string | null }>(
  seated: T[],
  licenses: LicenseRow[],
  now: number,
): T[] {
  const seatsLeft = new Map<string, number>();
  for (const l of licenses) {
    if (l.validUntil > now) seatsLeft.set(l.productId, (seatsLeft.get(l.productId) ?? 0) + l.seats);
  }
  const excess: T[] = [];
  for (const s of seated) {
    const left = s.productId === null ? 0 : (seatsLeft.get(s.productId) ?? 0);
    if (left > 0 && s.productId !== null) seatsLeft.set(s.productId, left - 1);
    else excess.push(s);
  }
  return excess.reverse();
}
