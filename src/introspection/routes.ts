// POST /api/auth/introspect (RFC 7662) for resource servers holding a client credential, and
// /api/admin/introspection-clients to manage those credentials (role ADMIN).
import { Elysia, t } from "elysia";
import { bearerAuth } from "../auth/guard";
import type { Deps } from "../deps";
import { answers, ErrorBody as ErrorSchema } from "../docs/openapi";
import { CreatedClient, IntrospectionClient } from "../docs/schemas";
import { hitRateLimit } from "../rate-limits/service";
import {
  authenticateClient,
  createIntrospectionClient,
  listIntrospectionClients,
  revokeIntrospectionClient,
} from "./clients";
import { introspect } from "./service";

const IntrospectionSchema = t.Object({
  active: t.Boolean(),
  token_type: t.Optional(t.Union([t.Literal("access_token"), t.Literal("refresh_token")])),
  client_id: t.Optional(t.String()),
  sub: t.Optional(t.String()),
  sid: t.Optional(t.String()),
  exp: t.Optional(t.Number()),
  iat: t.Optional(t.Number()),
  product: t.Optional(t.Union([t.String(), t.Null()])),
  limited: t.Optional(t.Boolean()),
});
const tags = ["introspection"];

export function introspectionRoutes(deps: Deps) {
  return new Elysia({ name: "introspection-routes" })
    .use(bearerAuth(deps))
    .post(
      "/api/auth/introspect",
      async ({ body, headers, set }) => {
        set.headers["cache-control"] = "no-store";
        set.headers.pragma = "no-cache";
        const client = await authenticateClient(deps, headers.authorization);
        await hitRateLimit(deps, { key: `introspect:${client.id}`, rule: deps.config.rateLimits.introspectPerClient });
        return introspect(deps, { token: body.token, hint: body.token_type_hint, clientId: client.id });
      },
      {
        body: t.Object({
          token: t.String({ minLength: 1, maxLength: 8192 }),
          token_type_hint: t.Optional(t.String({ maxLength: 64 })),
        }),
        response: { 200: IntrospectionSchema, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
        detail: {
          summary: "Is this access or refresh token active right now? (RFC 7662; HTTP Basic client credential)",
          description:
            "Form-encoded `token` and optional `token_type_hint`. Anything not usable right now answers `{active:false}`.",
          security: [{ basic: [] }],
          tags,
        },
      },
    )
    .get("/api/admin/introspection-clients", async () => ({ clients: await listIntrospectionClients(deps) }), {
      auth: "ADMIN",
      detail: {
        summary: "List introspection clients (never their secrets)",
        tags,
        responses: answers({ 200: t.Object({ clients: t.Array(IntrospectionClient) }) }),
      },
    })
    .post(
      "/api/admin/introspection-clients",
      async ({ auth, body, set }) => {
        set.status = 201;
        return createIntrospectionClient(deps, { name: body.name, createdBy: auth.sub });
      },
      {
        auth: "ADMIN",
        body: t.Object({ name: t.String({ minLength: 1, maxLength: 200 }) }),
        detail: {
          summary: "Create an introspection client; its secret is shown once",
          tags,
          responses: answers({ 201: CreatedClient }, 400),
        },
      },
    )
    .delete(
      "/api/admin/introspection-clients/:id",
      ({ auth, params }) => revokeIntrospectionClient(deps, params.id, `admin:${auth.sub}`),
      {
        auth: "ADMIN",
        params: t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) }),
        detail: {
          summary: "Revoke an introspection client",
          tags,
          responses: answers({ 200: IntrospectionClient }, 400, 404),
        },
      },
    );
}
