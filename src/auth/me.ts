// GET /api/auth/me: the user, their licenses with seats used/total, and the current session.
import { and, eq } from "drizzle-orm";
import { sessions, users } from "../../db/schema";
import type { Deps } from "../deps";
import { unauthorized } from "../errors";
import { seatSummary } from "../seats/summary";
import { toSessionView } from "../sessions/view";
import { toPublicUser } from "../users/service";
import type { AccessClaims } from "./access-token";

export async function describeMe(deps: Deps, auth: AccessClaims) {
  // Two driver calls in all: the user with this session, and the licenses with their counts.
  const [[row], summary] = await Promise.all([
    deps.db.orm
      .select({ user: users, session: sessions })
      .from(users)
      .leftJoin(sessions, and(eq(sessions.id, auth.sid), eq(sessions.userId, users.id)))
      .where(eq(users.id, auth.sub)),
    seatSummary(deps, auth.sub),
  ]);
  if (!row) throw unauthorized("invalid_token", "This account no longer exists");
  return {
    user: toPublicUser(row.user),
    ...summary,
    session: row.session ? toSessionView(deps, row.session, auth.sid) : null,
  };
}
