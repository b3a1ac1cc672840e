// Routes an app or store written for auth-license-server calls (README "Moving from
// auth-license-server"): POST /api/webhook and /api/webhook/create. The same services answer;
// only the shapes differ. (GET /api/users?userId= is in src/admin/routes.ts.)
import { Elysia, t } from "elysia";
import { bearerAuth, bearerToken } from "../auth/guard";
import type { Deps } from "../deps";
import { answers, WEBHOOK_SECURITY } from "../docs/openapi";
import { CreatedWebhook, LegacyUser, WebhookReply } from "../docs/schemas";
import { receiveWebhook } from "../webhooks/service";
import { CreateWebhookBody } from "../webhooks/model";
import { createWebhook } from "../webhooks/tokens";
import { legacyUserView, translateDelivery, userAfter, userBefore } from "./service";

const json = (status: number, body: unknown, replayed = false) =>
  new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      ...(replayed ? { "idempotent-replayed": "true" } : {}),
    },
  });

function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const body: unknown = JSON.parse(raw);
    return typeof body === "object" && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function compatRoutes(deps: Deps) {
  return new Elysia({ name: "compat-auth-license-server" })
    .use(bearerAuth(deps))
    .post(
      "/api/webhook/create",
      async ({ auth, body, set }) => {
        set.status = 201;
        const created = await createWebhook(deps, { ...body, createdBy: auth.sub });
        return { ...created, webhook: `${deps.config.publicUrl}/api/webhook?token=${created.token}` };
      },
      {
        auth: "ADMIN",
        body: CreateWebhookBody,
        detail: {
          summary:
            "Create a webhook token; the answer carries `webhook`, its URL with the token (auth-license-server form)",
          tags: ["auth-license-server"],
          responses: answers({ 201: t.Object({ ...CreatedWebhook.properties, webhook: t.String() }) }, 400),
        },
      },
    )
    .post(
      "/api/webhook",
      async ({ request, query }) => {
        const raw = await request.text();
        const parsed = parseObject(raw);
        const body = parsed ? await translateDelivery(deps, parsed) : undefined;
        const before = body ? await userBefore(deps, body) : undefined;
        const reply = await receiveWebhook(deps, {
          token: bearerToken(request.headers.get("authorization")) ?? query.token,
          rawBody: body ? JSON.stringify(body) : raw, // unparseable: the action's own 400 explains
          headers: request.headers,
        });
        const answer = reply.body as { success?: boolean; response?: Record<string, unknown>; time?: number };
        if (reply.status !== 200 || !answer.success || !answer.response)
          return json(reply.status, answer, reply.replayed);
        return json(
          200,
          { ...answer, response: await legacyResponse(deps, String(body?.action), answer.response, before) },
          reply.replayed,
        );
      },
      {
        parse: "none",
        detail: {
          summary: "Run a webhook action as auth-license-server did: integer ids, the user object in `response`",
          tags: ["auth-license-server"],
          security: WEBHOOK_SECURITY,
          requestBody: {
            required: true,
            content: { "application/json": { schema: { type: "object", properties: { action: { type: "string" } } } } },
          },
          responses: answers(
            {
              200: t.Object({
                success: t.Literal(true),
                response: t.Union([LegacyUser, t.Literal(true), WebhookReply.properties.response]),
                time: t.Integer(),
              }),
            },
            400,
            401,
            403,
            404,
            409,
            429,
          ),
        },
      },
    );
}

/** What auth-license-server answered: `true` for delete-user, else the user the action touched. */
async function legacyResponse(deps: Deps, action: string, response: Record<string, unknown>, before?: string) {
  if (action === "delete-user") return true;
  const userId = userAfter(response) ?? before;
  if (!userId) return response;
  try {
    return await legacyUserView(deps, userId);
  } catch {
    return response; // the user is gone (deleted meanwhile): the plain answer still says what happened
  }
}
