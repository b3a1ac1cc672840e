// What a user (or admin) may see of a session: never a token hash or rotation state.
import { and, count, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { prepared } from "../../db/prepared";
import { sessions, type Session } from "../../db/schema";
import type { Deps } from "../deps";
import { holdsSeat } from "../seats/seats";

export interface SessionView {
  id: string;
  kind: Session["kind"];
  productId: string | null;
  limited: boolean;
  limitedReason: Session["limitedReason"];
  /** Holds a seat right now (an app session, not limited, refreshed within SEAT_IDLE_TIMEOUT). */
  seated: boolean;
  userAgent: string | null;
  ip: string | null;
  country: string | null;
  city: string | null;
  region: string | null;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
  current: boolean;
}

export function toSessionView(deps: Deps, session: Session, currentSessionId?: string): SessionView {
  const now = deps.clock.now();
  const idleMs = deps.config.seatIdleTimeout * 1000;
  return {
    id: session.id,
    kind: session.kind,
    productId: session.productId,
    limited: session.limited,
    limitedReason: session.limitedReason,
    seated: holdsSeat(session, now, idleMs),
    userAgent: session.userAgent,
    ip: session.ip,
    country: session.country,
    city: session.city,
    region: session.region,
    createdAt: session.createdAt,
    lastUsedAt: session.lastUsedAt,
    expiresAt: session.expiresAt,
    current: session.id === currentSessionId,
  };
}

/** SQL: a session is live (not revoked, not expired). */
const liveSession = (deps: Pick<Deps, "clock">) =>
  and(isNull(sessions.revokedAt), gt(sessions.expiresAt, deps.clock.now()));

/** A user's live sessions (not revoked, not expired), most recently used first. */
export async function listLiveSessions(deps: Deps, userId: string): Promise<Session[]> {
  return deps.db.orm
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), liveSession(deps)))
    .orderBy(desc(sessions.lastUsedAt));
}

/** One session of a user (any state), or undefined. */
const sessionOfUser = prepared((orm) =>
  orm
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, sql.placeholder("sessionId")), eq(sessions.userId, sql.placeholder("userId"))))
    .limit(1)
    .prepare(),
);

export async function findSessionOfUser(deps: Deps, userId: string, sessionId: string): Promise<Session | undefined> {
  return sessionOfUser(deps.db).get({ userId, sessionId });
}

/** How many live sessions each of the given users has (one query; users without any are absent). */
export async function liveSessionCounts(deps: Deps, userIds: string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await deps.db.orm
    .select({ userId: sessions.userId, n: count() })
    .from(sessions)
    .where(and(inArray(sessions.userId, userIds), liveSession(deps)))
    .groupBy(sessions.userId);
  return new Map(rows.map((r) => [r.userId, r.n]));
}
