// The account pages' domain: signing in to the pages (a session of kind "account", never a seat),
// the overview of licenses and devices, and revoking sessions with a notice by mail.
import type { User } from "../../db/schema";
import { verifyCredentials } from "../auth/service";
import type { Deps } from "../deps";
import { queueMail } from "../mail/outbox";
import { revokeSession, revokeUserSessions } from "../sessions/revoke";
import { createSession } from "../sessions/service";
import { listLiveSessions, toSessionView, type SessionView } from "../sessions/view";
import { seatSummary, type SeatSummary } from "../seats/summary";
import type { ClientInfo } from "../web/client";
import { timeAgo } from "../lib/time-text";
import { describeDevice, place } from "./device";

export interface AccountSessionRow extends SessionView {
  device: string;
  place: string | null;
  lastActive: string;
  created: string;
}

export interface AccountOverview extends SeatSummary {
  user: Pick<User, "id" | "email" | "name" | "role">;
  sessions: AccountSessionRow[];
}

/**
 * Signs in to the account pages: same credential check and rate limits as the API login.
 * A fresh session every time (the cookie rotates on sign-in); the previous one, if any, ends.
 */
export async function signInToAccount(
  deps: Deps,
  input: { email: string; password: string; previousSessionId?: string },
  client: ClientInfo,
): Promise<{ token: string; user: User }> {
  const user = await verifyCredentials(deps, input.email, input.password, client);
  if (input.previousSessionId) {
    await revokeSession(deps, input.previousSessionId, { reason: "signed_in_again", actor: `user:${user.id}` });
  }
  const issued = await createSession(deps, { user, kind: "account", productId: null, client });
  return { token: issued.token, user };
}

export async function accountOverview(deps: Deps, user: User, currentSessionId: string): Promise<AccountOverview> {
  const now = deps.clock.now();
  const [summary, live] = await Promise.all([seatSummary(deps, user.id), listLiveSessions(deps, user.id)]);
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    ...summary,
    sessions: live.map((s) => ({
      ...toSessionView(deps, s, currentSessionId),
      device: describeDevice(s.userAgent),
      place: place(s),
      lastActive: timeAgo(s.lastUsedAt, now),
      created: timeAgo(s.createdAt, now),
    })),
  };
}

function revokedNotice(deps: Deps, user: User, device: string) {
  return queueMail(deps, {
    to: user.email,
    kind: "session-revoked",
    data: {
      name: user.name,
      device,
      revokedBy: "you, from your account page",
      time: new Date(deps.clock.now()).toISOString(),
    },
  });
}

/** Revokes one of the user's own sessions; false when it is not theirs or already ended. */
export async function revokeOwnSession(
  deps: Deps,
  user: User,
  sessionId: string,
  client: ClientInfo,
): Promise<boolean> {
  const revoked = await revokeSession(deps, sessionId, {
    userId: user.id,
    reason: "revoked_by_user",
    actor: `user:${user.id}`,
    ip: client.ip,
  });
  if (revoked) await revokedNotice(deps, user, describeDevice(revoked.userAgent));
  return Boolean(revoked);
}

/** "Sign out everywhere else": every session but the current one. Returns how many ended. */
export async function revokeOtherSessions(deps: Deps, user: User, currentSessionId: string, client: ClientInfo) {
  const count = await revokeUserSessions(deps, user.id, {
    exceptSessionId: currentSessionId,
    reason: "signed_out_elsewhere",
    actor: `user:${user.id}`,
    ip: client.ip,
  });
  if (count > 0) await revokedNotice(deps, user, count === 1 ? "1 other device" : `${count} other devices`);
  return count;
}
