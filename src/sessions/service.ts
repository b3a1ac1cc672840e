// Sessions: creation (taking a seat) and lookup by token; refresh-token rotation is ./refresh.ts.
// Every decision is made inside one write transaction.
import { and, eq } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { sessions, type Session, type SessionKind, type User } from "../../db/schema";
import { auditIn } from "../audit/audit";
import { queueEventIn } from "../events/outbox";
import type { Deps } from "../deps";
import { notFound } from "../errors";
import type { ClientInfo } from "../lib/client-info";
import { newId } from "../lib/crypto";
import { touchDue } from "../lib/touch";
import { decideSeat, seatScope, withoutSeat, type SeatDecision } from "../seats/seats";
import { findUserById } from "../users/service";
import { accessTokenTimes, formatToken, newSecret, parseToken, whichToken } from "./tokens";

/** The user fields an access token carries. */
export type TokenUser = Pick<User, "id" | "email" | "name" | "role" | "status">;

export interface IssuedSession {
  session: Pick<Session, "id" | "userId" | "kind" | "productId">;
  user: TokenUser;
  /** The raw token, to hand to the client once. */
  token: string;
  seat: SeatDecision;
}

/** Account-page sessions never take a seat. */
const NO_SEAT: SeatDecision = {
  limited: false,
  limitedReason: null,
  product: null,
  sessionProduct: null,
  remaining: 0,
  seatFreeAt: null,
  licenses: [],
};

/**
 * When the access token about to be issued expires if it carries a seat (Unix ms), else null: the
 * seat stays counted until then, whatever happens to the session (README "Seats").
 */
export function seatTokenExpiry(deps: Deps, seat: SeatDecision, now: number): number | null {
  return seat.limited || seat.product === null ? null : accessTokenTimes(now, deps.config.accessTokenTtl).exp * 1000;
}

/** A new session for a signed-in user. App sessions take a seat if one is free, else are limited. */
export async function createSession(
  deps: Deps,
  input: { user: User; kind: SessionKind; productId: string | null; client: ClientInfo; limited?: boolean },
): Promise<IssuedSession> {
  const id = newId();
  const { secret, hash } = newSecret();
  const now = deps.clock.now();
  return deps.db.write(async (tx) => {
    const decided =
      input.kind === "app" ? await decideSeat(tx, seatScope(deps, input.user.id, input.productId)) : NO_SEAT;
    const seat = input.limited ? withoutSeat(decided) : decided;
    await tx.insert(sessions).values({
      id,
      userId: input.user.id,
      kind: input.kind,
      productId: seat.sessionProduct,
      seatTokenExpiresAt: seatTokenExpiry(deps, seat, now),
      limited: seat.limited,
      limitedReason: seat.limitedReason,
      ...input.client,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + deps.config.sessionTtl * 1000,
      tokenHash: hash,
    });
    await auditIn(tx, deps, {
      event: "login.succeeded",
      userId: input.user.id,
      actor: `user:${input.user.id}`,
      ip: input.client.ip,
      detail: {
        sessionId: id,
        kind: input.kind,
        product: seat.sessionProduct,
        limited: seat.limited,
        limitedReason: seat.limitedReason,
      },
    });
    if (input.kind === "app" && !seat.limited) {
      const ids = { userId: input.user.id, sessionId: id, productId: seat.sessionProduct };
      await queueEventIn(tx, deps, "seat.taken", ids);
    }
    const session = { id, userId: input.user.id, kind: input.kind, productId: seat.sessionProduct };
    return { session, user: input.user, token: formatToken(id, secret), seat };
  });
}

export interface SessionWithUser {
  session: Session;
  user: User;
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
  const session = await liveSessionRow(deps, parsed.sessionId, kind);
  if (!session) return undefined;
  const presented = whichToken(deps, session, parsed.hash, deps.clock.now());
  if (presented !== "current" && presented !== "grace") return undefined;
  const user = await findUserById(deps, session.userId);
  return user && { session, user };
}

async function liveSessionRow(deps: Deps, sessionId: string, kind: SessionKind): Promise<Session | undefined> {
  const session = await deps.db.orm.query.sessions.findFirst({
    where: and(eq(sessions.id, sessionId), eq(sessions.kind, kind)),
  });
  return session && session.revokedAt === null && session.expiresAt > deps.clock.now() ? session : undefined;
}

/** A live session (not revoked, not expired) of the given kind, with its user, by id. */
export async function findLiveSession(
  deps: Deps,
  sessionId: string,
  kind: SessionKind,
): Promise<SessionWithUser | undefined> {
  const session = await liveSessionRow(deps, sessionId, kind);
  const user = session && (await findUserById(deps, session.userId));
  return user && session && { session, user };
}

/** Records that a session was used (account pages; at most once a minute: touchDue). */
export async function touchSession(deps: Deps, session: Pick<Session, "id" | "lastUsedAt">): Promise<void> {
  const now = deps.clock.now();
  if (!touchDue(session.lastUsedAt, now)) return;
  await deps.db.write((tx) => tx.update(sessions).set({ lastUsedAt: now }).where(eq(sessions.id, session.id)));
}

/** The session with this id inside an open transaction; 404 `session_not_found` when there is none. */
export async function findSessionIn(tx: Tx, sessionId: string): Promise<Session> {
  const session = await tx.query.sessions.findFirst({ where: eq(sessions.id, sessionId) });
  if (!session) throw notFound("session_not_found", "No session with this sessionId");
  return session;
}
