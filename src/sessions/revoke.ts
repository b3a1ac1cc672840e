// Ending sessions. A revoked session can no longer refresh; its last access token lives on
// until it expires (≤ ACCESS_TOKEN_TTL).
import { and, eq, inArray, isNull, ne, type SQL } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { sessions } from "../../db/schema";
import { auditIn } from "../audit/audit";
import type { Deps } from "../deps";

export interface RevokeOptions {
  reason: string;
  /** "user:<id>", "admin:<id>", "webhook:<id>", "system" */
  actor: string;
  ip?: string | null;
}

async function revokeWhereIn(tx: Tx, deps: Pick<Deps, "clock">, where: SQL, options: RevokeOptions) {
  const revoked = await tx
    .update(sessions)
    .set({ revokedAt: deps.clock.now(), revokeReason: options.reason })
    .where(and(where, isNull(sessions.revokedAt)))
    .returning({ id: sessions.id, userId: sessions.userId, userAgent: sessions.userAgent });
  for (const s of revoked) {
    await auditIn(tx, deps, {
      event: "session.revoked",
      userId: s.userId,
      actor: options.actor,
      ip: options.ip,
      detail: { sessionId: s.id, reason: options.reason },
    });
  }
  return revoked;
}

export interface RevokedSession {
  id: string;
  userId: string;
  userAgent: string | null;
}

/** Revokes one session (of `userId` when given). Returns it, or undefined when there was nothing to revoke. */
export async function revokeSessionIn(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  sessionId: string,
  options: RevokeOptions & { userId?: string },
): Promise<RevokedSession | undefined> {
  const where = options.userId
    ? and(eq(sessions.id, sessionId), eq(sessions.userId, options.userId))
    : eq(sessions.id, sessionId);
  return (await revokeWhereIn(tx, deps, where as SQL, options))[0];
}

/** Revokes the given sessions in one statement; returns how many were still live. */
export async function revokeSessionsIn(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  sessionIds: string[],
  options: RevokeOptions,
): Promise<number> {
  if (sessionIds.length === 0) return 0;
  return (await revokeWhereIn(tx, deps, inArray(sessions.id, sessionIds), options)).length;
}

export async function revokeSession(deps: Deps, sessionId: string, options: RevokeOptions & { userId?: string }) {
  return deps.db.write((tx) => revokeSessionIn(tx, deps, sessionId, options));
}

/** Revokes every live session of a user, optionally sparing one (the caller's own). Returns the count. */
export async function revokeUserSessionsIn(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  userId: string,
  options: RevokeOptions & { exceptSessionId?: string },
): Promise<number> {
  const where = options.exceptSessionId
    ? and(eq(sessions.userId, userId), ne(sessions.id, options.exceptSessionId))
    : eq(sessions.userId, userId);
  return (await revokeWhereIn(tx, deps, where as SQL, options)).length;
}

export async function revokeUserSessions(
  deps: Deps,
  userId: string,
  options: RevokeOptions & { exceptSessionId?: string },
): Promise<number> {
  return deps.db.write((tx) => revokeUserSessionsIn(tx, deps, userId, options));
}
