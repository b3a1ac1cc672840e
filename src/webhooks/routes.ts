// /api/webhooks: creating a webhook token (admin) and receiving the store's deliveries.
import { Elysia, t, type TSchema } from "elysia";
import { bearerAuth, bearerToken } from "../auth/guard";
import type { Deps } from "../deps";
import { answers, WEBHOOK_SECURITY } from "../docs/openapi";
import { CreatedWebhook, WebhookReply } from "../docs/schemas";
import { ACTIONS } from "./actions";
import { CreateWebhookBody, MAX_EVENT_KEY } from "./model";
import { receiveWebhook } from "./service";
import { createWebhook } from "./tokens";

// The request body of POST /api/webhooks, for the OpenAPI document: one object per action, told
// apart by `action` (each action validates its own payload when it runs).
const ActionBody = t.Union(
  [...ACTIONS].map(([name, action]) =>
    t.Object(
      {
        action: t.Literal(name),
        id: t.Optional(t.Union([t.String({ maxLength: MAX_EVENT_KEY }), t.Integer()], { description: "Event id" })),
        ...(action.schema as unknown as { properties: Record<string, TSchema> }).properties,
      },
      { additionalProperties: false },
    ),
  ),
);

export function webhookRoutes(deps: Deps) {
  return new Elysia({ name: "webhooks" })
    .use(bearerAuth(deps))
    .post(
      "/api/webhooks/create",
      async ({ auth, body, set }) => {
        set.status = 201;
        return createWebhook(deps, { ...body, createdBy: auth.sub });
      },
      {
        auth: "ADMIN",
        body: CreateWebhookBody,
        detail: {
          summary: "Create a webhook token (shown once)",
          tags: ["webhooks"],
          responses: answers({ 201: CreatedWebhook }, 400),
        },
      },
    )
    .post(
      "/api/webhooks",
      async ({ request, query }) => {
        const reply = await receiveWebhook(deps, {
          // The header, or ?token= for stores that only take a URL.
          token: bearerToken(request.headers.get("authorization")) ?? query.token,
          // Signatures are over the exact bytes sent, so the body is read raw, before any parsing.
          rawBody: await request.text(),
          headers: request.headers,
        });
        const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
        if (reply.replayed) headers["idempotent-replayed"] = "true";
        return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
      },
      {
        parse: "none",
        detail: {
          summary: "Run a webhook action",
          description:
            "A seatkey endpoint takes `{action, …payload}`; a store endpoint takes that store's own events. " +
            "An `Idempotency-Key` header (or an event `id`) already processed answers the first response again.",
          tags: ["webhooks"],
          security: WEBHOOK_SECURITY,
          requestBody: { required: true, content: { "application/json": { schema: ActionBody as object } } },
          responses: answers({ 200: WebhookReply }, 400, 401, 403, 404, 409, 429),
        },
      },
    );
}
