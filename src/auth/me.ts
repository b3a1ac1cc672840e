// GET /api/auth/me: the user, their licenses with seats used/total, and the current session.
import type { Deps } from "../deps";
import { unauthorized } from "../errors";
import { seatSummary } from "../seats/summary";
import { findUserWithSession, toSessionView } from "../sessions/view";
import type { AccessClaims } from "./access-token";

export async function describeMe(deps: Deps, auth: AccessClaims) {
  // Two independent reads, at once.
  const [found, summary] = await Promise.all([
    findUserWithSession(deps, auth.sub, auth.sid),
    seatSummary(deps, auth.sub),
  ]);
  if (!found) throw unauthorized("invalid_token", "This account no longer exists");
  return {
    user: found.user,
    ...summary,
    session: found.session ? toSessionView(deps, found.session, auth.sid) : null,
  };
}
