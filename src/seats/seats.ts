// Seat accounting (README "Seats"): the one seat rule, read from the database. Decided inside the
// caller's write transaction, so concurrent logins — in one process or many on one database —
// never seat more sessions than seats. Login, refresh, license changes and the housekeeping of
// src/maintenance/prune.ts all ask here. It reads `licenses` and `sessions` in raw SQL statements
// (the refresh hot path) and writes nothing; those tables' owners are src/licenses and src/sessions.
// The rule itself (per product: seats, active and cooling sessions) is src/seats/tally.ts.
import type { Orm } from "../../db/client";
import { rawAll, rawSql } from "../../db/raw";
import type { Session } from "../../db/schema";
import type { Deps } from "../deps";
import { decide, excessSessions, type CountedSession, type LicenseRow, type SeatDecision } from "./tally";

export type { LicenseClaim, SeatDecision } from "./tally";

type Reader = Pick<Orm, "all">;

export interface SeatScope {
  userId: string;
  /** The session's product; null: a login naming none (one product the user holds is chosen). */
  productId: string | null;
  now: number;
  idleTimeoutMs: number;
  /** Released seats stay counted until their last access token expires (SEAT_RELEASE=cooldown). */
  coolDown: boolean;
  /** The session being evaluated, left out of the count (refresh). */
  exceptSessionId?: string;
}

/**
 * A session that asked not to take a seat (?limited=true, auth-license-server's trial mode): limited,
 * holding nothing and carrying no licenses, whatever `seat` would have given it. A seat it would
 * have taken stays free, so it is counted back into `remaining`.
 */
export function withoutSeat(seat: SeatDecision): SeatDecision {
  const remaining = seat.limited ? seat.remaining : seat.remaining + 1;
  return {
    ...seat,
    limited: true,
    limitedReason: "requested",
    product: null,
    remaining,
    seatFreeAt: null,
    licenses: [],
  };
}

/** SQL: a `sessions` row holds a seat now (an app session, live, not limited, not idle). */
const HOLDS_SEAT = "kind = 'app' AND revoked_at IS NULL AND limited = 0 AND expires_at > ? AND last_used_at > ?";
const holdsSeatArgs = (now: number, idleTimeoutMs: number) => [now, now - idleTimeoutMs];
export const holdsSeatSql = (now: number, idleTimeoutMs: number) =>
  rawSql(HOLDS_SEAT, holdsSeatArgs(now, idleTimeoutMs));

/** The same rule for a loaded session. */
export function holdsSeat(
  s: Pick<Session, "kind" | "revokedAt" | "limited" | "expiresAt" | "lastUsedAt">,
  now: number,
  idleTimeoutMs: number,
): boolean {
  return (
    s.kind === "app" && s.revokedAt === null && !s.limited && s.expiresAt > now && s.lastUsedAt > now - idleTimeoutMs
  );
}

/** The scope a session of `productId` is seated in, now; `exceptSessionId` is the session itself. */
export function seatScope(
  deps: Pick<Deps, "clock" | "config">,
  userId: string,
  productId: string | null,
  exceptSessionId?: string,
): SeatScope {
  return {
    userId,
    productId,
    now: deps.clock.now(),
    idleTimeoutMs: deps.config.seatIdleTimeout * 1000,
    coolDown: deps.config.seatRelease === "cooldown",
    exceptSessionId,
  };
}

export interface SeatRows {
  licenses: (LicenseRow & { id: string })[];
  /** The sessions counting against seats (holding one, or cooling down), most recently used first. */
  sessions: (CountedSession & { id: string })[];
}

interface Row {
  kind: "license" | "session";
  id: string;
  productId: string | null;
  seats: number;
  validUntil: number;
  active: number;
  seatTokenExpiresAt: number | null;
}

/**
 * The user's licenses and the sessions counting against their seats (holding one, or — with
 * SEAT_RELEASE=cooldown — cooling down), in one statement: each call costs far more than these
 * indexed reads. Constant text (db/raw.ts): login, refresh and me all read it.
 */
const seatRowsText = (coolDown: boolean) => `
    SELECT 'license' AS kind, id, product_id AS productId, seats, valid_until AS validUntil, 0 AS active,
      NULL AS seatTokenExpiresAt, 0 AS lastUsedAt
    FROM licenses WHERE user_id = ?
    UNION ALL
    SELECT 'session', id, product_id, 0, 0, (${HOLDS_SEAT}), seat_token_expires_at, last_used_at
    FROM sessions WHERE user_id = ? AND kind = 'app' AND id != ?
      AND ((${HOLDS_SEAT})${coolDown ? " OR seat_token_expires_at > ?" : ""})
    ORDER BY kind, lastUsedAt DESC, id`;
const SEAT_ROWS = { cooling: seatRowsText(true), plain: seatRowsText(false) };

export async function readSeatRows(db: Reader, scope: Omit<SeatScope, "productId">): Promise<SeatRows> {
  const holds = holdsSeatArgs(scope.now, scope.idleTimeoutMs);
  const args = [scope.userId, ...holds, scope.userId, scope.exceptSessionId ?? "", ...holds];
  const rows = scope.coolDown
    ? await rawAll<Row>(db, SEAT_ROWS.cooling, [...args, scope.now])
    : await rawAll<Row>(db, SEAT_ROWS.plain, args);
  const result: SeatRows = { licenses: [], sessions: [] };
  for (const r of rows) {
    if (r.kind === "license") {
      result.licenses.push({ id: r.id, productId: r.productId ?? "", seats: r.seats, validUntil: r.validUntil });
    } else {
      const { id, productId, seatTokenExpiresAt } = r;
      result.sessions.push({ id, productId, active: Boolean(r.active), seatTokenExpiresAt });
    }
  }
  return result;
}

/** Whether one more session of `scope.productId` fits (and, for a login naming none, of which product). */
export async function decideSeat(db: Reader, scope: SeatScope): Promise<SeatDecision> {
  const { licenses, sessions } = await readSeatRows(db, scope);
  return decide(scope.productId, licenses, sessions, scope.now);
}

/**
 * The user's sessions holding a seat beyond their product's valid seats (all products, or only
 * `productId`), least recently used first: what shrinking a license or prune signs out.
 * Seats cooling down do not make a seated session excess: signing it out frees nothing sooner.
 */
export async function excessSeatedSessions(
  db: Reader,
  deps: Pick<Deps, "clock" | "config">,
  userId: string,
  productId?: string,
): Promise<string[]> {
  const { licenses, sessions } = await readSeatRows(db, { ...seatScope(deps, userId, null), coolDown: false });
  const seated = sessions.filter((s) => productId === undefined || s.productId === productId);
  return excessSessions(seated, licenses, deps.clock.now()).map((s) => s.id);
}
