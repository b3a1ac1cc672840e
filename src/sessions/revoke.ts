// Ending sessions. A revoked session can no longer refresh; its last access token lives on
// until it expires (≤ ACCESS_TOKEN_TTL).
import { and, eq, inArray, isNull, ne, type SQL } from "drizzle-orm";
import type { InValue } from "@libsql/client";
import type { Tx } from "../../db/client";
import { rawSql } from "../../db/raw";
import { sessions } from "../../db/schema";
import { auditIn } from "../audit/audit";
import type { Deps } from "../deps";
import { queueEventsIn } from "../events/outbox";
import type { SeatkeyEvent } from "../events/types";
import type { ClientInfo } from "../lib/client-info";
import { queueMailIn } from "../mail/outbox";
import { describeDevice } from "./device";

export interface RevokeOptions {
  reason: string;
  /** "user:<id>", "admin:<id>", "webhook:<id>", "system" */
  actor: string;
  ip?: string | null;
}

/** What ending sessions needs of deps: the time, and whether released seats cool down. */
export type RevokeDeps = Pick<Deps, "clock" | "config">;

/**
 * With SEAT_RELEASE=cooldown a seat given back stays counted until the last access token issued
 * with it expires: such a session is marked so that `seat.released` (cool_down_ended) is queued
 * when it frees (src/sessions/cool-down.ts). A session already cooling keeps its mark.
 */
export function coolingUntilText(deps: RevokeDeps, now: number): { text: string; args: InValue[] } {
  if (deps.config.seatRelease !== "cooldown") return { text: "seat_free_announce_at", args: [] };
  return {
    text: `CASE WHEN kind = 'app' AND limited = 0 AND seat_token_expires_at > ?
      THEN seat_token_expires_at ELSE seat_free_announce_at END`,
    args: [now],
  };
}

function coolingUntilSql(deps: RevokeDeps, now: number): SQL {
  const { text, args } = coolingUntilText(deps, now);
  return rawSql(text, args);
}

async function revokeWhereIn(tx: Tx, deps: RevokeDeps, where: SQL, options: RevokeOptions) {
  const now = deps.clock.now();
  const revoked = await tx
    .update(sessions)
    .set({ revokedAt: now, revokeReason: options.reason, seatFreeAnnounceAt: coolingUntilSql(deps, now) })
    .where(and(where, isNull(sessions.revokedAt)))
    .returning({
      id: sessions.id,
      userId: sessions.userId,
      userAgent: sessions.userAgent,
      kind: sessions.kind,
      limited: sessions.limited,
      productId: sessions.productId,
      seatFreeAnnounceAt: sessions.seatFreeAnnounceAt,
    });
  for (const s of revoked) {
    await auditIn(tx, deps, {
      event: "session.revoked",
      userId: s.userId,
      actor: options.actor,
      ip: options.ip,
      detail: { sessionId: s.id, reason: options.reason },
    });
  }
  await queueEventsIn(
    tx,
    deps,
    revoked.flatMap((s) => revokedEvents(s, options.reason, now)),
  );
  return revoked;
}

/** Why a seat was given back, as event subscribers see it. */
function releaseReason(revokeReason: string): string {
  if (revokeReason === "logout") return "logout";
  return revokeReason.startsWith("license") || revokeReason === "seats_exceeded" ? "license_change" : "revocation";
}

/**
 * session.revoked, and seat.released when the session held a seat (an app session, not limited):
 * `cooling` when the seat stays counted until `seatFreeAt` (a cool_down_ended release follows).
 */
function revokedEvents(
  s: {
    id: string;
    userId: string;
    kind: string;
    limited: boolean;
    productId: string | null;
    seatFreeAnnounceAt: number | null;
  },
  reason: string,
  now: number,
): SeatkeyEvent[] {
  const ids = { userId: s.userId, sessionId: s.id };
  const events: SeatkeyEvent[] = [{ type: "session.revoked", data: { ...ids, reason } }];
  if (s.kind === "app" && !s.limited) {
    const release = {
      reason: releaseReason(reason),
      revokeReason: reason,
      ...coolingFields(s.seatFreeAnnounceAt, now),
    };
    events.push({ type: "seat.released", data: { ...ids, productId: s.productId, ...release } });
  }
  return events;
}

/** A release's `cooling` and `seatFreeAt` (Unix ms: when another session can take the seat). */
export function coolingFields(coolingUntil: number | null, now: number) {
  return { cooling: coolingUntil !== null && coolingUntil > now, seatFreeAt: Math.max(coolingUntil ?? now, now) };
}

export interface RevokedSession {
  id: string;
  userId: string;
  userAgent: string | null;
}

/** Revokes one session (of `userId` when given). Returns it, or undefined when there was nothing to revoke. */
export async function revokeSessionIn(
  tx: Tx,
  deps: RevokeDeps,
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
  deps: RevokeDeps,
  sessionIds: string[],
  options: RevokeOptions,
): Promise<number> {
  if (sessionIds.length === 0) return 0;
  return (await revokeWhereIn(tx, deps, inArray(sessions.id, sessionIds), options)).length;
}

export async function revokeSession(deps: Deps, sessionId: string, options: RevokeOptions & { userId?: string }) {
  return deps.db.write((tx) => revokeSessionIn(tx, deps, sessionId, options));
}

/** Signing out (API logout, the account pages' sign-out): the caller's own session ends. */
export async function logOut(deps: Deps, session: { id: string; userId: string }) {
  await revokeSession(deps, session.id, { reason: "logout", actor: `user:${session.userId}` });
}

/** Revokes every live session of a user, optionally sparing one (the caller's own). Returns the count. */
export async function revokeUserSessionsIn(
  tx: Tx,
  deps: RevokeDeps,
  userId: string,
  options: RevokeOptions & { exceptSessionId?: string },
): Promise<number> {
  const where = options.exceptSessionId
    ? and(eq(sessions.userId, userId), ne(sessions.id, options.exceptSessionId))
    : eq(sessions.userId, userId);
  return (await revokeWhereIn(tx, deps, where as SQL, options)).length;
}

/** Revokes every live app session of a user counting against `productId`'s seats (a license deleted). */
export async function revokeProductSessionsIn(
  tx: Tx,
  deps: RevokeDeps,
  userId: string,
  productId: string,
  options: RevokeOptions,
): Promise<number> {
  const where = and(eq(sessions.userId, userId), eq(sessions.kind, "app"), eq(sessions.productId, productId));
  return (await revokeWhereIn(tx, deps, where as SQL, options)).length;
}

/** Whom a notice about their sessions goes to. */
export interface SessionOwner {
  id: string;
  email: string;
  name: string;
}

/** The "a device was signed out" notice, queued in the revoking transaction. */
function queueRevokedNoticeIn(tx: Tx, deps: Deps, user: SessionOwner, device: string) {
  return queueMailIn(tx, deps, {
    to: user.email,
    kind: "session-revoked",
    data: { name: user.name, device, revokedBy: "you", time: new Date(deps.clock.now()).toISOString() },
  });
}

/**
 * A user revokes one of their own sessions (API or account page): revoked, audited and mailed in
 * one transaction. False when it is not theirs or has already ended (nothing changes).
 */
export async function revokeOwnSession(
  deps: Deps,
  user: SessionOwner,
  sessionId: string,
  client: Pick<ClientInfo, "ip">,
): Promise<boolean> {
  return deps.db.write(async (tx) => {
    const revoked = await revokeSessionIn(tx, deps, sessionId, {
      userId: user.id,
      reason: "revoked_by_user",
      actor: `user:${user.id}`,
      ip: client.ip,
    });
    if (revoked) await queueRevokedNoticeIn(tx, deps, user, describeDevice(revoked.userAgent));
    return Boolean(revoked);
  });
}

/** "Sign out everywhere else": every session but the current one, with one notice. Returns how many ended. */
export async function revokeOtherSessions(
  deps: Deps,
  user: SessionOwner,
  currentSessionId: string,
  client: Pick<ClientInfo, "ip">,
): Promise<number> {
  return deps.db.write(async (tx) => {
    const count = await revokeUserSessionsIn(tx, deps, user.id, {
      exceptSessionId: currentSessionId,
      reason: "signed_out_elsewhere",
      actor: `user:${user.id}`,
      ip: client.ip,
    });
    const device = count === 1 ? "1 other device" : `${count} other devices`;
    if (count > 0) await queueRevokedNoticeIn(tx, deps, user, device);
    return count;
  });
}
