// GET /api/users, GET /api/users/:id — role ADMIN.
import { Elysia, t } from "elysia";
import { bearerAuth } from "../auth/guard";
import type { Deps } from "../deps";
import { answers, queryParameters } from "../docs/openapi";
import { LegacyUser, UserDetail, UserPage } from "../docs/schemas";
import { badRequest } from "../errors";
import { legacyUserView } from "../compat/service";
import { resolveLegacyId } from "../import/legacy-ids";
import { getUserDetail, listUsers } from "./service";

const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE = 1_000_000;

// Query values are checked here rather than by a `t` query schema so a bad one is named in the
// 400 (Elysia reports coerced query fields without their path).
function wholeNumber(value: string | undefined, field: string, max: number, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!/^\d{1,9}$/.test(value) || n < 1 || n > max) {
    throw badRequest("invalid_input", `${field} must be a whole number from 1 to ${max}`, field);
  }
  return n;
}

// The query parameters, for the OpenAPI document only (checked by wholeNumber and searchTerm).
const QUERY_DOCS = queryParameters(
  t.Object({
    page: t.Optional(t.Integer({ minimum: 1, description: "Page number (default 1)" })),
    limit: t.Optional(t.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, description: `Default ${DEFAULT_PAGE_SIZE}` })),
    search: t.Optional(t.String({ maxLength: 254, description: "Part of the email address" })),
    userId: t.Optional(t.String({ description: "One user instead, answered as {user} (auth-license-server form)" })),
  }),
);

function searchTerm(value: string | undefined): string | undefined {
  if (value !== undefined && value.length > 254) {
    throw badRequest("invalid_input", "search must be at most 254 characters", "search");
  }
  return value || undefined;
}

export function adminRoutes(deps: Deps) {
  return new Elysia({ name: "admin" })
    .use(bearerAuth(deps))
    .get(
      "/api/users",
      async ({ query }) =>
        // ?userId= is how auth-license-server asked for one user (README "Moving from auth-license-server").
        query.userId !== undefined
          ? { user: await legacyUserView(deps, await resolveLegacyId(deps, "user", query.userId.slice(0, 64))) }
          : listUsers(deps, {
              page: wholeNumber(query.page, "page", MAX_PAGE, 1),
              limit: wholeNumber(query.limit, "limit", MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE),
              search: searchTerm(query.search),
            }),
      {
        auth: "ADMIN",
        detail: {
          parameters: QUERY_DOCS,
          summary:
            "List users (paginated, search by email); with ?userId= one user as {user} (auth-license-server form)",
          tags: ["admin"],
          responses: answers({ 200: t.Union([UserPage, t.Object({ user: LegacyUser })]) }, 400, 404),
        },
      },
    )
    .get("/api/users/:id", ({ params }) => getUserDetail(deps, params.id), {
      auth: "ADMIN",
      params: t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) }),
      detail: {
        summary: "One user with licenses, live sessions and webhooks",
        tags: ["admin"],
        responses: answers({ 200: UserDetail }, 400, 404),
      },
    });
}
