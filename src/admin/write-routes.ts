// /api/admin/… — what `bun run admin` does, for an ADMIN's Bearer token (role checked in the
// database too). Every change runs through src/admin/operations.ts and is audited
// `admin.<action>` with the admin as actor.
import { Elysia, t } from "elysia";
import { listAuditEvents } from "../audit/audit";
import { bearerAuth } from "../auth/guard";
import type { Deps } from "../deps";
import { answers } from "../docs/openapi";
import {
  AuditEvent,
  CreatedWebhook,
  LicenseAnswer,
  LicenseChange,
  LicenseDeleted,
  ResetLink,
  Secret,
  SessionRevoked,
  SessionsRevoked,
  Stats,
  UserChange,
  UserDeleted,
  UserLink,
  Webhook,
  WebhookAnswer,
} from "../docs/schemas";
import { badRequest } from "../errors";
import { CreateWebhookBody, Email, Name, ProductId, Seats, STRICT, ValidUntil } from "../webhooks/model";
import { listWebhooks } from "../webhooks/tokens";
import {
  createUserAs,
  createWebhookAs,
  endLicense,
  resetLink,
  rotateWebhookSecret,
  runAdminAction,
} from "./operations";
import { stats } from "./stats";

const IdParam = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) });
// Plain strings here, checked by the action (400 naming the field): an optional enum in a route
// body is filled in with its first value by Elysia when absent.
const Role = t.String({ maxLength: 20, description: "ADMIN, OWNER or MANAGER" });
const Status = t.String({ maxLength: 20, description: "ACTIVE or INACTIVE" });
const MAX_AUDIT = 500;

export function adminWriteRoutes(deps: Deps) {
  const as = (auth: { sub: string }) => `admin:${auth.sub}`;
  const doc = (summary: string, responses: ReturnType<typeof answers>) => ({ summary, tags: ["admin"], responses });
  return new Elysia({ name: "admin-writes", prefix: "/api/admin" })
    .use(bearerAuth(deps))
    .post(
      "/users",
      async ({ auth, body, set }) => {
        set.status = 201;
        return createUserAs(deps, body, as(auth));
      },
      {
        auth: "ADMIN",
        body: t.Object({ email: Email, name: Name, role: t.Optional(Role) }, STRICT),
        detail: doc(
          "Create a user; answers the one-time set-password link (also mailed)",
          answers({ 201: UserLink }, 400, 409),
        ),
      },
    )
    .patch(
      "/users/:id",
      ({ auth, body, params }) => runAdminAction(deps, "update-user", { ...body, userId: params.id }, as(auth)),
      {
        auth: "ADMIN",
        params: IdParam,
        body: t.Object(
          { email: t.Optional(Email), name: t.Optional(Name), role: t.Optional(Role), status: t.Optional(Status) },
          STRICT,
        ),
        detail: doc(
          "Change a user; status INACTIVE ends their sessions at once",
          answers({ 200: UserChange }, 400, 404, 409),
        ),
      },
    )
    .delete("/users/:id", ({ auth, params }) => runAdminAction(deps, "delete-user", { userId: params.id }, as(auth)), {
      auth: "ADMIN",
      params: IdParam,
      detail: doc("Delete a user with their licenses and sessions", answers({ 200: UserDeleted }, 400, 404)),
    })
    .post("/users/:id/reset-link", ({ auth, params }) => resetLink(deps, params.id, as(auth)), {
      auth: "ADMIN",
      params: IdParam,
      detail: doc("A one-time set-password link for the user (also mailed)", answers({ 200: ResetLink }, 400, 404)),
    })
    .delete(
      "/users/:id/sessions",
      ({ auth, params }) => runAdminAction(deps, "revoke-all-user-sessions", { userId: params.id }, as(auth)),
      {
        auth: "ADMIN",
        params: IdParam,
        detail: doc("End every session of a user", answers({ 200: SessionsRevoked }, 400, 404)),
      },
    )
    .post(
      "/licenses",
      async ({ auth, body, set }) => {
        set.status = 201;
        return runAdminAction(deps, "create-license", body, as(auth));
      },
      {
        auth: "ADMIN",
        body: t.Object(
          {
            userId: t.String({ minLength: 1, maxLength: 64 }),
            productId: ProductId,
            seats: Seats,
            validUntil: ValidUntil,
          },
          STRICT,
        ),
        detail: doc("Grant a license", answers({ 201: LicenseAnswer }, 400, 404)),
      },
    )
    .patch(
      "/licenses/:id",
      ({ auth, body, params }) => runAdminAction(deps, "update-license", { ...body, licenseId: params.id }, as(auth)),
      {
        auth: "ADMIN",
        params: IdParam,
        body: t.Object(
          { productId: t.Optional(ProductId), seats: t.Optional(Seats), validUntil: t.Optional(ValidUntil) },
          STRICT,
        ),
        detail: doc(
          "Extend a license or change its seats (fewer seats sign out the excess sessions)",
          answers({ 200: LicenseChange }, 400, 404),
        ),
      },
    )
    .post("/licenses/:id/end", ({ auth, params }) => endLicense(deps, params.id, as(auth)), {
      auth: "ADMIN",
      params: IdParam,
      detail: doc("End a license now", answers({ 200: LicenseChange }, 400, 404)),
    })
    .delete(
      "/licenses/:id",
      ({ auth, params }) => runAdminAction(deps, "delete-license", { licenseId: params.id }, as(auth)),
      {
        auth: "ADMIN",
        params: IdParam,
        detail: doc("Delete a license; its user's sessions end", answers({ 200: LicenseDeleted }, 400, 404)),
      },
    )
    .delete(
      "/sessions/:id",
      ({ auth, params }) => runAdminAction(deps, "revoke-session", { sessionId: params.id }, as(auth)),
      {
        auth: "ADMIN",
        params: IdParam,
        detail: doc("End one session", answers({ 200: SessionRevoked }, 400, 404)),
      },
    )
    .get("/webhooks", () => listWebhooks(deps), {
      auth: "ADMIN",
      detail: doc("Every webhook endpoint, newest first", answers({ 200: t.Array(Webhook) })),
    })
    .post(
      "/webhooks",
      async ({ auth, body, set }) => {
        set.status = 201;
        return createWebhookAs(deps, { ...body, createdBy: auth.sub }, as(auth));
      },
      {
        auth: "ADMIN",
        body: CreateWebhookBody,
        detail: doc("Create a webhook token (shown once)", answers({ 201: CreatedWebhook }, 400)),
      },
    )
    .delete(
      "/webhooks/:id",
      ({ auth, params }) => runAdminAction(deps, "revoke-webhook", { webhookId: params.id }, as(auth)),
      {
        auth: "ADMIN",
        params: IdParam,
        detail: doc("Revoke a webhook token", answers({ 200: WebhookAnswer }, 400, 404)),
      },
    )
    .post(
      "/webhooks/:id/rotate-secret",
      ({ auth, body, params }) => rotateWebhookSecret(deps, params.id, body?.signingSecret, as(auth)),
      {
        auth: "ADMIN",
        params: IdParam,
        body: t.Optional(t.Object({ signingSecret: t.Optional(t.String({ minLength: 6, maxLength: 256 })) }, STRICT)),
        detail: doc("A new signing secret (the one given, or random), shown once", answers({ 200: Secret }, 400, 404)),
      },
    )
    .get(
      "/audit",
      ({ query }) =>
        listAuditEvents(deps, {
          userId: query.userId,
          event: query.event,
          since: query.since === undefined ? undefined : sinceMs(query.since),
          limit: Math.min(MAX_AUDIT, Math.max(1, Number(query.limit ?? 50) || 50)),
        }),
      {
        auth: "ADMIN",
        query: t.Object({
          userId: t.Optional(t.String({ maxLength: 64 })),
          event: t.Optional(t.String({ maxLength: 100 })),
          since: t.Optional(t.String({ maxLength: 64 })),
          limit: t.Optional(t.String({ maxLength: 4 })),
        }),
        detail: doc(
          "Audit events, newest first (userId, event family, since an ISO date or Unix ms, limit ≤ 500)",
          answers({ 200: t.Array(AuditEvent) }, 400),
        ),
      },
    )
    .get("/stats", () => stats(deps), {
      auth: "ADMIN",
      detail: doc("Users, licenses, seats per product, sessions, logins per day", answers({ 200: Stats })),
    });
}

function sinceMs(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw badRequest("invalid_input", "since must be an ISO date like 2031-01-31 or Unix ms", "since");
  return ms;
}
