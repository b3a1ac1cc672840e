// The admin's view of users: a paginated, searchable list and one user in full.
// Never a password hash (toPublicUser), never a token hash (toSessionView, toWebhookView).
import type { Deps } from "../deps";
import { notFound } from "../errors";
import { licensesByUser } from "../licenses/service";
import { seatSummary } from "../seats/summary";
import { listLiveSessions, liveSessionCounts, toSessionView } from "../sessions/view";
import { findUserById, listUsersPage, toPublicUser } from "../users/service";
import { listWebhooksCreatedBy, toWebhookView } from "../webhooks/tokens";

export interface UserQuery {
  page: number;
  limit: number;
  /** A substring of the email; LIKE wildcards in it are matched literally. */
  search?: string | undefined;
}

export async function listUsers(deps: Deps, query: UserQuery) {
  const { rows, total } = await listUsersPage(deps, {
    limit: query.limit,
    offset: (query.page - 1) * query.limit,
    search: query.search,
  });
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
    total,
  };
}

/** One user with licenses, seats per product, live sessions and the webhooks they created; 404 when unknown. */
export async function getUserDetail(deps: Deps, userId: string) {
  const user = await findUserById(deps, userId);
  if (!user) throw notFound("user_not_found", "No user with this id");
  const [licenses, seats, live, webhooks] = await Promise.all([
    licensesByUser(deps, [user.id]),
    seatSummary(deps, user.id),
    listLiveSessions(deps, user.id),
    listWebhooksCreatedBy(deps, user.id),
  ]);
  return {
    user: toPublicUser(user),
    licenses: licenses.get(user.id) ?? [],
    // Per product, adding up to the total (as on /api/auth/me and the account page).
    products: seats.products,
    seats: seats.seats,
    sessions: live.map((s) => toSessionView(deps, s)),
    webhooks: webhooks.map(toWebhookView),
  };
}
