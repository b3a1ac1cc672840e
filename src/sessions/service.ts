// Sessions: creation (taking a seat), refresh-token rotation with a grace window and reuse
// detection, lookup by token. Every decision is made inside one write transaction.
import { eq, sql } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { sessions, users, type Session, type SessionKind, type User } from "../../db/schema";
import { auditIn } from "../audit/audit";
import type { Deps } from "../deps";
import { unauthorized } from "../errors";
import { constantTimeEqual, newId, randomToken } from "../lib/crypto";
import { decideSeat, type SeatDecision } from "../seats/seats";
import type { ClientInfo } from "../web/client";
import { deriveSuccessor, formatToken, isRetired, newSecret, parseToken, retire } from "./tokens";

export interface IssuedSession {
  session: Session;
  user: User;
  /** The raw token, to hand to the client once. */
  token: string;
  seat: SeatDecision;
}

export const REVOKE_REASON_REUSE = "refresh_token_reuse";

function seatScope(deps: Deps, userId: string, productId: string | null, exceptSessionId?: string) {
  return {
    userId,
    productId,
    now: deps.clock.now(),
    idleTimeoutMs: deps.config.seatIdleTimeout * 1000,
    exceptSessionId,
  };
}

/** A new session for a signed-in user. App sessions take a seat if one is free, else are limited. */
export async function createSession(
  deps: Deps,
  input: { user: User; kind: SessionKind; productId: string | null; client: ClientInfo },
): Promise<IssuedSession> {
  const id = newId();
  const { secret, hash } = newSecret();
  const now = deps.clock.now();
  return deps.db.write(async (tx) => {
    const seat =
      input.kind === "app"
        ? await decideSeat(tx, seatScope(deps, input.user.id, input.productId))
        : { limited: false, limitedReason: null, total: 0, used: 0, licenses: [] };
    const [session] = await tx
      .insert(sessions)
      .values({
        id,
        userId: input.user.id,
        kind: input.kind,
        productId: input.productId,
        limited: seat.limited,
        limitedReason: seat.limitedReason,
        ...input.client,
        createdAt: now,
        lastUsedAt: now,
        expiresAt: now + deps.config.sessionTtl * 1000,
        tokenHash: hash,
      })
      .returning();
    await auditIn(tx, deps, {
      event: "login.succeeded",
      userId: input.user.id,
      actor: `user:${input.user.id}`,
      ip: input.client.ip,
      detail: { sessionId: id, kind: input.kind, limited: seat.limited, limitedReason: seat.limitedReason },
    });
    return { session: session as Session, user: input.user, token: formatToken(id, secret), seat };
  });
}

export type RefreshOutcome =
  | { kind: "rotated" | "grace"; issued: IssuedSession }
  | { kind: "reuse"; session: Session; user: User };

interface SessionWithUser {
  session: Session;
  user: User;
}

async function loadSessionWithUser(tx: Tx, sessionId: string): Promise<SessionWithUser | undefined> {
  const [row] = await tx
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sessionId));
  return row;
}

const matches = (hash: string, stored: string | null) => stored !== null && constantTimeEqual(hash, stored);

/**
 * Rotates a refresh token (SPEC §4). The current token gets a fresh successor; the token just
 * replaced, within the grace window, gets the same successor again; any older one is reuse and
 * revokes the session. Anything else is an invalid token and changes nothing.
 */
export async function refreshSession(deps: Deps, token: string, client: ClientInfo): Promise<RefreshOutcome> {
  const parsed = parseToken(token);
  if (!parsed) throw unauthorized("invalid_token", "Invalid refresh token; log in again");
  const now = deps.clock.now();
  return deps.db.write(async (tx) => {
    const found = await loadSessionWithUser(tx, parsed.sessionId);
    if (!found || found.session.kind !== "app")
      throw unauthorized("invalid_token", "Invalid refresh token; log in again");
    const { session, user } = found;
    const isCurrent = matches(parsed.hash, session.tokenHash);
    const isPrevious = matches(parsed.hash, session.previousTokenHash);
    if (!isCurrent && !isPrevious && !isRetired(session.retiredTokenHashes, parsed.hash)) {
      throw unauthorized("invalid_token", "Invalid refresh token; log in again");
    }
    if (session.revokedAt !== null) throw unauthorized("session_revoked", "This session was revoked; log in again");
    if (session.expiresAt <= now) throw unauthorized("session_expired", "This session has expired; log in again");
    if (user.status !== "ACTIVE") throw unauthorized("session_revoked", "This account is inactive");

    const inGrace =
      isPrevious && session.rotatedAt !== null && now - session.rotatedAt <= deps.config.refreshGrace * 1000;
    if (!isCurrent && !inGrace) {
      await revokeForReuse(tx, deps, session, client);
      return { kind: "reuse", session, user };
    }

    const seat = await decideSeat(tx, seatScope(deps, user.id, session.productId, session.id));
    if (inGrace) {
      // Same successor as the first answer: both holders keep working, the session does not fork.
      const successor = deriveSuccessor(parsed.secret, session.rotationNonce ?? "");
      if (!matches(successor.hash, session.tokenHash)) throw unauthorized("invalid_token", "Invalid refresh token");
      const updated = await touch(tx, session.id, {
        lastUsedAt: now,
        limited: seat.limited,
        limitedReason: seat.limitedReason,
      });
      return {
        kind: "grace",
        issued: { session: updated, user, token: formatToken(session.id, successor.secret), seat },
      };
    }
    const nonce = randomToken(16);
    const successor = deriveSuccessor(parsed.secret, nonce);
    const updated = await touch(tx, session.id, {
      tokenHash: successor.hash,
      previousTokenHash: session.tokenHash,
      rotatedAt: now,
      rotationNonce: nonce,
      retiredTokenHashes: retire(session.retiredTokenHashes, session.previousTokenHash),
      lastUsedAt: now,
      limited: seat.limited,
      limitedReason: seat.limitedReason,
    });
    return {
      kind: "rotated",
      issued: { session: updated, user, token: formatToken(session.id, successor.secret), seat },
    };
  });
}

async function touch(tx: Tx, sessionId: string, values: Partial<Session>): Promise<Session> {
  const [updated] = await tx.update(sessions).set(values).where(eq(sessions.id, sessionId)).returning();
  return updated as Session;
}

async function revokeForReuse(tx: Tx, deps: Deps, session: Session, client: ClientInfo) {
  await tx
    .update(sessions)
    .set({ revokedAt: deps.clock.now(), revokeReason: REVOKE_REASON_REUSE })
    .where(eq(sessions.id, session.id));
  await auditIn(tx, deps, {
    event: "refresh.reuse_detected",
    userId: session.userId,
    actor: "system",
    ip: client.ip,
    detail: { sessionId: session.id, userAgent: client.userAgent },
  });
}

/**
 * The live session a token currently opens (current secret only): not revoked, not expired,
 * of the given kind. Used for logout and the account pages' cookie.
 */
export async function findSessionByToken(
  deps: Deps,
  token: string | undefined | null,
  kind: SessionKind,
): Promise<SessionWithUser | undefined> {
  const parsed = parseToken(token);
  if (!parsed) return undefined;
  const [row] = await deps.db.orm
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(sql`${sessions.id} = ${parsed.sessionId} AND ${sessions.kind} = ${kind}`);
  if (!row || row.session.revokedAt !== null || row.session.expiresAt <= deps.clock.now()) return undefined;
  const inGrace =
    matches(parsed.hash, row.session.previousTokenHash) &&
    row.session.rotatedAt !== null &&
    deps.clock.now() - row.session.rotatedAt <= deps.config.refreshGrace * 1000;
  return matches(parsed.hash, row.session.tokenHash) || inGrace ? row : undefined;
}
