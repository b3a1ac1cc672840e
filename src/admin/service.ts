// The admin's view of users: a paginated, searchable list and one user in full.
// Never a password hash (toPublicUser), never a token hash (toSessionView, toWebhookView).
import { and, asc, count, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { sessions, users, webhookTokens } from "../../db/schema";
import type { Deps } from "../deps";
import { notFound } from "../errors";
import { licensesByUser } from "../licenses/service";
import { listLiveSessions, liveSession, toSessionView } from "../sessions/view";
import { findUserById, toPublicUser } from "../users/service";
import { toWebhookView } from "../webhooks/tokens";

export interface UserQuery {
  page: number;
  limit: number;
  /** A substring of the email; LIKE wildcards in it are matched literally. */
  search?: string | undefined;
}

/** `%`, `_` and the escape character itself lose their LIKE meaning. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function listUsers(deps: Deps, query: UserQuery) {
  const search = query.search?.trim().toLowerCase();
  const where: SQL | undefined = search ? sql`${users.email} LIKE ${`%${escapeLike(search)}%`} ESCAPE '\\'` : undefined;
  const [rows, [totalRow]] = await Promise.all([
    deps.db.orm
      .select()
      .from(users)
      .where(where)
      .orderBy(desc(users.createdAt), asc(users.id))
      .limit(query.limit)
      .offset((query.page - 1) * query.limit),
    deps.db.orm.select({ total: count() }).from(users).where(where),
  ]);
  const ids = rows.map((u) => u.id);
  const [licenses, live] = await Promise.all([licensesByUser(deps, ids), liveSessionCounts(deps, ids)]);
  return {
    users: rows.map((u) => ({
      ...toPublicUser(u),
      licenses: licenses.get(u.id) ?? [],
      activeSessions: live.get(u.id) ?? 0,
    })),
    page: query.page,
    limit: query.limit,
    total: totalRow?.total ?? 0,
  };
}

async function liveSessionCounts(deps: Deps, userIds: string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await deps.db.orm
    .select({ userId: sessions.userId, n: count() })
    .from(sessions)
    .where(and(inArray(sessions.userId, userIds), liveSession(deps)))
    .groupBy(sessions.userId);
  return new Map(rows.map((r) => [r.userId, r.n]));
}

/** One user with licenses, live sessions and the webhooks they created; 404 when unknown. */
export async function getUserDetail(deps: Deps, userId: string) {
  const user = await findUserById(deps, userId);
  if (!user) throw notFound("user_not_found", "No user with this id");
  const [licenses, live, webhooks] = await Promise.all([
    licensesByUser(deps, [user.id]),
    listLiveSessions(deps, user.id),
    deps.db.orm
      .select()
      .from(webhookTokens)
      .where(eq(webhookTokens.createdBy, user.id))
      .orderBy(desc(webhookTokens.createdAt)),
  ]);
  return {
    user: toPublicUser(user),
    licenses: licenses.get(user.id) ?? [],
    sessions: live.map((s) => toSessionView(deps, s)),
    webhooks: webhooks.map(toWebhookView),
  };
}
