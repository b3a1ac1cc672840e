// Refresh-token rotation (README "Tokens"): every refresh re-decides the seat and rotates the token
// inside one write transaction; the token just replaced works again inside the grace window (same
// successor, no fork), and any older one is reuse, which revokes the session. Logout with a
// refresh token follows the same rules.
import type { Tx } from "../../db/client";
import { rawAll, rawRun } from "../../db/raw";
import type { Session } from "../../db/schema";
import { auditIn } from "../audit/audit";
import { queueEventIn } from "../events/outbox";
import type { Deps } from "../deps";
import { unauthorized } from "../errors";
import type { ClientInfo } from "../lib/client-info";
import { randomToken } from "../lib/crypto";
import { queueMailIn } from "../mail/outbox";
import { decideSeat, holdsSeat, seatScope, withoutSeat, type SeatDecision } from "../seats/seats";
import { describeDevice } from "./device";
import { coolingFields, coolingUntilText, revokeSessionIn } from "./revoke";
import { type IssuedSession, seatTokenExpiry, type TokenUser } from "./service";
import { deriveSuccessor, formatToken, matches, type ParsedToken, parseToken, retire, whichToken } from "./tokens";

export type RefreshOutcome = { kind: "rotated" | "grace"; issued: IssuedSession } | { kind: "reuse" };

export const REVOKE_REASON_REUSE = "refresh_token_reuse";
const REUSED = "This session was revoked because one of its refresh tokens was used twice; log in again";

/** What a refresh reads of a session and its user. */
type RefreshRow = Pick<
  Session,
  | "userId"
  | "kind"
  | "productId"
  | "limited"
  | "limitedReason"
  | "tokenHash"
  | "previousTokenHash"
  | "rotatedAt"
  | "rotationNonce"
  | "retiredTokenHashes"
  | "revokedAt"
  | "revokeReason"
  | "expiresAt"
  | "lastUsedAt"
  | "seatTokenExpiresAt"
> &
  Omit<TokenUser, "id">;

// Only the columns a refresh needs: @libsql/client costs a few µs per column of every row it
// returns (a SELECT of both whole rows doubled the cost of this query).
const LOAD_FOR_REFRESH = `
    SELECT s.user_id AS userId, s.kind, s.product_id AS productId, s.limited, s.limited_reason AS limitedReason,
      s.token_hash AS tokenHash,
      s.previous_token_hash AS previousTokenHash, s.rotated_at AS rotatedAt, s.rotation_nonce AS rotationNonce,
      s.retired_token_hashes AS retiredTokenHashes, s.revoked_at AS revokedAt,
      s.revoke_reason AS revokeReason, s.expires_at AS expiresAt, s.last_used_at AS lastUsedAt,
      s.seat_token_expires_at AS seatTokenExpiresAt, u.email, u.name, u.role, u.status
    FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ? LIMIT 1`;

async function loadForRefresh(tx: Tx, sessionId: string): Promise<RefreshRow | undefined> {
  const [row] = await rawAll<RefreshRow>(tx, LOAD_FOR_REFRESH, [sessionId]);
  return row;
}

/** Which of the session's tokens was presented; throws for one that opens nothing. */
function classify(deps: Deps, row: RefreshRow, parsed: ParsedToken, now: number): "current" | "grace" | "reuse" {
  const presented = whichToken(deps, row, parsed.hash, now);
  if (presented === "none") throw unauthorized("invalid_token", "Invalid refresh token; log in again");
  if (row.revokedAt !== null) {
    // The rightful holder learns why its session ended (a thief replayed one of its tokens); the
    // thief learns nothing new: it was told token_reused already.
    if (row.revokeReason === REVOKE_REASON_REUSE) throw unauthorized("token_reused", REUSED);
    throw unauthorized("session_revoked", "This session was revoked; log in again");
  }
  if (row.expiresAt <= now) throw unauthorized("session_expired", "This session has expired; log in again");
  if (row.status !== "ACTIVE") throw unauthorized("session_revoked", "This account is inactive");
  return presented === "old" ? "reuse" : presented;
}

/**
 * Rotates a refresh token (README "Tokens"). The current token gets a fresh successor; the token just
 * replaced, within the grace window, gets the same successor again; any older one is reuse and
 * revokes the session. Anything else is an invalid token and changes nothing.
 */
export async function refreshSession(deps: Deps, token: string, client: ClientInfo): Promise<RefreshOutcome> {
  const parsed = parseToken(token);
  if (!parsed) throw unauthorized("invalid_token", "Invalid refresh token; log in again");
  const now = deps.clock.now();
  return deps.db.write(async (tx) => {
    const row = await loadForRefresh(tx, parsed.sessionId);
    if (!row || row.kind !== "app") throw unauthorized("invalid_token", "Invalid refresh token; log in again");
    const user: TokenUser = { id: row.userId, email: row.email, name: row.name, role: row.role, status: row.status };
    const presented = classify(deps, row, parsed, now);
    if (presented === "reuse") {
      await revokeForReuseIn(tx, deps, { id: parsed.sessionId, user }, client);
      return { kind: "reuse" };
    }
    const issued = await advance(tx, deps, { parsed, row, user, grace: presented === "grace", now });
    return { kind: presented === "grace" ? "grace" : "rotated", issued };
  });
}

/**
 * Logout with a refresh token: the current token, or the one just replaced within the grace window,
 * ends its session. An older one is reuse, handled exactly as at refresh (session revoked, audited,
 * user mailed): whoever holds a stale token must not believe the session has ended while it lives on.
 * Anything else (unknown, revoked, expired) changes nothing; logout answers 204 either way.
 */
export async function logoutSession(deps: Deps, token: string, client: ClientInfo): Promise<void> {
  const parsed = parseToken(token);
  if (!parsed) return;
  const now = deps.clock.now();
  await deps.db.write(async (tx) => {
    const row = await loadForRefresh(tx, parsed.sessionId);
    if (!row || row.kind !== "app" || row.revokedAt !== null || row.expiresAt <= now) return;
    const presented = whichToken(deps, row, parsed.hash, now);
    if (presented === "none") return;
    if (presented === "old") {
      const user: TokenUser = { id: row.userId, email: row.email, name: row.name, role: row.role, status: row.status };
      return revokeForReuseIn(tx, deps, { id: parsed.sessionId, user }, client);
    }
    await revokeSessionIn(tx, deps, parsed.sessionId, { reason: "logout", actor: `user:${row.userId}`, ip: client.ip });
  });
}

/**
 * Re-decides the seat and moves the session on: a new successor for the current token, or —
 * inside the grace window — the same successor again (both holders keep working, no fork).
 * One UPDATE without RETURNING: every value written is known here.
 */
async function advance(
  tx: Tx,
  deps: Deps,
  input: { parsed: ParsedToken; row: RefreshRow; user: TokenUser; grace: boolean; now: number },
): Promise<IssuedSession> {
  const { parsed, row, user, now } = input;
  const id = parsed.sessionId;
  // Re-decided on the session's own product: it never moves to another one. A session holding
  // its seat keeps it beside seats cooling down: those hold back only seats not yet taken.
  const scope = seatScope(deps, user.id, row.productId, id);
  if (holdsSeat(row, now, scope.idleTimeoutMs)) scope.coolDown = false;
  const decided = await decideSeat(tx, scope);
  const seat = row.limitedReason === "requested" ? withoutSeat(decided) : decided;
  const limited = seat.limited ? 1 : 0;
  // A limited token leaves the expiry of the last seat-carrying one in place (coalesce); a seat
  // lost here cools down like a revoked one, a seat taken ends any cool-down of this session.
  // Constant text (db/raw.ts): this UPDATE is the refresh hot path's one write.
  const cooling = coolingUntilText(deps, now);
  const seatState = `limited = ?, limited_reason = ?, product_id = ?,
    seat_free_announce_at = CASE WHEN ? THEN ${cooling.text} END,
    seat_token_expires_at = coalesce(?, seat_token_expires_at)`;
  const seatArgs = [
    limited,
    seat.limitedReason,
    seat.sessionProduct,
    limited,
    ...cooling.args,
    seatTokenExpiry(deps, seat, now),
  ];
  const nonce = input.grace ? (row.rotationNonce ?? "") : randomToken(16);
  const successor = deriveSuccessor(parsed.secret, nonce);
  if (input.grace) {
    if (!matches(successor.hash, row.tokenHash)) throw unauthorized("invalid_token", "Invalid refresh token");
    await rawRun(tx, `UPDATE sessions SET last_used_at = ?, ${seatState} WHERE id = ?`, [now, ...seatArgs, id]);
  } else {
    const retired = retire(row.retiredTokenHashes, row.previousTokenHash);
    await rawRun(
      tx,
      `UPDATE sessions SET token_hash = ?, previous_token_hash = ?, rotated_at = ?, rotation_nonce = ?,
        retired_token_hashes = ?, last_used_at = ?, ${seatState} WHERE id = ?`,
      [successor.hash, row.tokenHash, now, nonce, retired, now, ...seatArgs, id],
    );
  }
  // Ordinary rotations are not audited one by one (a row per session every few minutes); the
  // session row keeps last use and rotation. What changes the picture is: a seat taken or lost,
  // and a grace replay (a retry or a second holder).
  if (Boolean(row.limited) !== seat.limited || input.grace) {
    await auditIn(tx, deps, {
      event: input.grace ? "refresh.grace_replay" : "refresh.seat_changed",
      userId: user.id,
      actor: `user:${user.id}`,
      detail: { sessionId: id, product: seat.sessionProduct, limited: seat.limited, limitedReason: seat.limitedReason },
    });
  }
  if (Boolean(row.limited) !== seat.limited) await queueSeatChangeIn(tx, deps, { id, userId: user.id, row, seat });
  const session = { id, userId: row.userId, kind: row.kind, productId: seat.sessionProduct };
  return { session, user, token: formatToken(id, successor.secret), seat };
}

/** A refresh took a seat (one became free) or lost it (license ended, seats gone): tell subscribers. */
async function queueSeatChangeIn(
  tx: Tx,
  deps: Deps,
  change: { id: string; userId: string; row: RefreshRow; seat: SeatDecision },
) {
  const ids = {
    userId: change.userId,
    sessionId: change.id,
    productId: change.seat.sessionProduct ?? change.row.productId,
  };
  if (!change.seat.limited) return queueEventIn(tx, deps, "seat.taken", ids);
  const reason = change.seat.limitedReason === "no_free_seat" ? "no_free_seat" : "license_change";
  const coolingUntil = deps.config.seatRelease === "cooldown" ? change.row.seatTokenExpiresAt : null;
  return queueEventIn(tx, deps, "seat.released", { ...ids, reason, ...coolingFields(coolingUntil, deps.clock.now()) });
}

/** Revokes the session whose old token was replayed, audits it and mails its user, all in `tx`. */
async function revokeForReuseIn(tx: Tx, deps: Deps, session: { id: string; user: TokenUser }, client: ClientInfo) {
  const { user } = session;
  const revoked = await revokeSessionIn(tx, deps, session.id, {
    reason: REVOKE_REASON_REUSE,
    actor: "system",
    ip: client.ip,
  });
  await auditIn(tx, deps, {
    event: "refresh.reuse_detected",
    userId: user.id,
    actor: "system",
    ip: client.ip,
    detail: { sessionId: session.id, userAgent: client.userAgent },
  });
  await queueEventIn(tx, deps, "refresh.reuse_detected", { userId: user.id, sessionId: session.id });
  await queueMailIn(tx, deps, {
    to: user.email,
    kind: "reuse-detected",
    data: {
      name: user.name,
      device: describeDevice(revoked?.userAgent ?? null),
      ip: client.ip ?? "unknown address",
      time: new Date(deps.clock.now()).toISOString(),
    },
  });
}
