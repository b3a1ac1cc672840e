// GET /api/auth/me: the user, their licenses with seats used/total, and the current session.
import type { Deps } from "../deps";
import { unauthorized } from "../errors";
import { seatSummary } from "../seats/summary";
import { findSessionOfUser, toSessionView } from "../sessions/view";
import { findUserById, toPublicUser } from "../users/service";
import type { AccessClaims } from "./access-token";

export async function describeMe(deps: Deps, auth: AccessClaims) {
  // Three independent reads, at once.
  const [user, session, summary] = await Promise.all([
    findUserById(deps, auth.sub),
    findSessionOfUser(deps, auth.sub, auth.sid),
    seatSummary(deps, auth.sub),
  ]);
  if (!user) throw unauthorized("invalid_token", "This account no longer exists");
  return {
    user: toPublicUser(user),
    ...summary,
    session: session ? toSessionView(deps, session, auth.sid) : null,
  };
}
