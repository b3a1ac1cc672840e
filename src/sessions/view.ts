// What a user (or admin) may see of a session: never a token hash or rotation state.
import { and, count, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { prepared } from "../../db/prepared";
import { rawAll } from "../../db/raw";
import { sessions, type Session } from "../../db/schema";
import type { Deps } from "../deps";
import { holdsSeat } from "../seats/seats";
import type { PublicUser } from "../users/service";

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

/** What a view is made of: the session's columns, less its token and rotation state. */
export type ViewedSession = Pick<
  Session,
  | "id"
  | "kind"
  | "productId"
  | "limited"
  | "limitedReason"
  | "userAgent"
  | "ip"
  | "country"
  | "city"
  | "region"
  | "createdAt"
  | "lastUsedAt"
  | "expiresAt"
  | "revokedAt"
>;

export function toSessionView(deps: Deps, session: ViewedSession, currentSessionId?: string): SessionView {
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

/**
 * The user and one of their sessions (any state; undefined when it is not theirs or gone), in one
 * statement: `me` and the admin check read both on every request, and each statement costs more
 * than the indexed lookups in it (README "Performance"). Constant text (db/raw.ts).
 */
const USER_WITH_SESSION = `
  SELECT u.id, u.email, u.name, u.role, u.status, u.password_hash IS NOT NULL AS hasPassword,
    u.created_at AS createdAt, u.updated_at AS updatedAt,
    s.id AS sessionId, s.kind, s.product_id AS productId, s.limited, s.limited_reason AS limitedReason,
    s.user_agent AS userAgent, s.ip, s.country, s.city, s.region, s.created_at AS sessionCreatedAt,
    s.last_used_at AS lastUsedAt, s.expires_at AS expiresAt, s.revoked_at AS revokedAt
  FROM users u LEFT JOIN sessions s ON s.id = ? AND s.user_id = u.id
  WHERE u.id = ? LIMIT 1`;

type UserWithSessionRow = Omit<PublicUser, "hasPassword"> & {
  hasPassword: number;
  sessionId: string | null;
  sessionCreatedAt: number;
  limited: number;
} & Omit<ViewedSession, "id" | "createdAt" | "limited">;

export async function findUserWithSession(
  deps: Deps,
  userId: string,
  sessionId: string,
): Promise<{ user: PublicUser; session: ViewedSession | undefined } | undefined> {
  const [row] = await rawAll<UserWithSessionRow>(deps.db.orm, USER_WITH_SESSION, [sessionId, userId]);
  if (!row) return undefined;
  const { id, email, name, role, status, createdAt, updatedAt } = row;
  const user: PublicUser = {
    id,
    email,
    name,
    role,
    status,
    createdAt,
    updatedAt,
    hasPassword: Boolean(row.hasPassword),
  };
  if (row.sessionId === null) return { user, session: undefined };
  const session: ViewedSession = {
    id: row.sessionId,
    kind: row.kind,
    productId: row.productId,
    limited: Boolean(row.limited),
    limitedReason: row.limitedReason,
    userAgent: row.userAgent,
    ip: row.ip,
    country: row.country,
    city: row.city,
    region: row.region,
    createdAt: row.sessionCreatedAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
  };
  return { user, session };
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
