// /api/webhooks: creating a webhook token (admin) and receiving the store's deliveries.
import { Elysia } from "elysia";
import { bearerAuth, bearerToken } from "../auth/guard";
import type { Deps } from "../deps";
import { CreateWebhookBody } from "./model";
import { receiveWebhook } from "./service";
import { createWebhook } from "./tokens";

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
        detail: { summary: "Create a webhook token (shown once)", tags: ["webhooks"] },
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
      { parse: "none", detail: { summary: "Run a webhook action", tags: ["webhooks"] } },
    );
}
