// Seat accounting (README "Seats"): the one seat rule. Decided inside the caller's write
// transaction, so concurrent logins — in one process or many on one database — never seat more
// sessions than seats. Login, refresh and the housekeeping of src/maintenance/prune.ts all ask
// decideSeat. It reads `licenses` and `sessions` in one raw SQL statement (the refresh hot path)
// and writes nothing; those tables' owners are src/licenses and src/sessions.
//
// total = sum of `seats` over the user's licenses valid now (of `productId` when the login named one)
// used  = the user's other sessions that hold a seat: app, unrevoked, unexpired, not limited,
//         and refreshed within SEAT_IDLE_TIMEOUT (the refresh is the heartbeat). For a product,
//         sessions that named it plus those that named none (they may be using its licenses):
//         conservative, so seated sessions never outnumber seats however logins are mixed.
import { sql } from "drizzle-orm";
import type { Orm } from "../../db/client";
import type { LimitedReason, Session } from "../../db/schema";
import type { Deps } from "../deps";

export interface SeatScope {
  userId: string;
  /** null: every product's licenses and sessions. */
  productId: string | null;
  now: number;
  idleTimeoutMs: number;
  /** The session being evaluated, left out of the count (refresh). */
  exceptSessionId?: string;
}

/** A license as the access token carries it (valid ones only). */
export interface LicenseClaim {
  productId: string;
  validUntil: number;
}

export interface SeatDecision {
  limited: boolean;
  limitedReason: LimitedReason | null;
  total: number;
  used: number;
  /** The user's licenses valid now (all products), for the access token. */
  licenses: LicenseClaim[];
}

interface LicenseRow {
  productId: string;
  seats: number;
  validUntil: number;
}

/** SQL: a `sessions` row holds a seat now (an app session, live, not limited, not idle). */
export const holdsSeatSql = (now: number, idleTimeoutMs: number) =>
  sql`kind = 'app' AND revoked_at IS NULL AND limited = 0 AND expires_at > ${now}
      AND last_used_at > ${now - idleTimeoutMs}`;

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

/** SQL over `sessions`: the user's sessions that count against `scope` (unqualified columns). */
const seatsUsedWhere = (scope: SeatScope) =>
  sql`user_id = ${scope.userId} AND ${holdsSeatSql(scope.now, scope.idleTimeoutMs)}
      AND (${scope.productId} IS NULL OR product_id = ${scope.productId} OR product_id IS NULL)
      AND id != ${scope.exceptSessionId ?? ""}`;

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
    exceptSessionId,
  };
}

/** Whether one more session fits in `scope` (a transaction, or a plain read for a cheap pre-check). */
export async function decideSeat(db: Pick<Orm, "all">, scope: SeatScope): Promise<SeatDecision> {
  // One statement, not two (each @libsql/client call costs far more than these indexed reads):
  // the user's licenses, every row carrying the same count of seats held. The subquery is not
  // correlated, so SQLite computes it once; its unqualified columns resolve to `sessions`.
  const licenseRows = await db.all<LicenseRow & { used: number }>(sql`
    SELECT product_id AS productId, seats, valid_until AS validUntil,
      (SELECT count(*) FROM sessions WHERE ${seatsUsedWhere(scope)}) AS used
    FROM licenses WHERE user_id = ${scope.userId}`);
  const inScope = licenseRows.filter((l) => scope.productId === null || l.productId === scope.productId);
  const valid = inScope.filter((l) => l.validUntil > scope.now);
  const total = valid.reduce((sum, l) => sum + l.seats, 0);
  const licenses = licenseRows
    .filter((l) => l.validUntil > scope.now)
    .map((l) => ({ productId: l.productId, validUntil: l.validUntil }));

  if (total === 0) {
    const limitedReason: LimitedReason = inScope.length === 0 ? "no_license" : "expired";
    return { limited: true, limitedReason, total, used: 0, licenses };
  }
  const used = Number(licenseRows[0]?.used ?? 0);
  const limited = used >= total;
  return { limited, limitedReason: limited ? "no_free_seat" : null, total, used: limited ? used : used + 1, licenses };
}
