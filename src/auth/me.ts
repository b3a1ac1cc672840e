// GET /api/auth/me: the user, their licenses with seats used/total, and the current session.
import { eq } from "drizzle-orm";
import { sessions } from "../../db/schema";
import type { Deps } from "../deps";
import { unauthorized } from "../errors";
import { seatSummary } from "../seats/summary";
import { toSessionView } from "../sessions/view";
import { findUserById, toPublicUser } from "../users/service";
import type { AccessClaims } from "./access-token";

export async function describeMe(deps: Deps, auth: AccessClaims) {
  const [user, summary, session] = await Promise.all([
    findUserById(deps, auth.sub),
    seatSummary(deps, auth.sub),
    deps.db.orm.query.sessions.findFirst({ where: eq(sessions.id, auth.sid) }),
  ]);
  if (!user) throw unauthorized("invalid_token", "This account no longer exists");
  return {
    user: toPublicUser(user),
    ...summary,
    session: session ? toSessionView(deps, session, auth.sid) : null,
  };
}
