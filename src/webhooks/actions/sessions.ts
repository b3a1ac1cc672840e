// Webhook actions that end access: revoke-session, revoke-all-user-sessions, revoke-webhook.
import { t } from "elysia";
import { revokeSessionIn, revokeUserSessionsIn } from "../../sessions/revoke";
import { findSessionIn } from "../../sessions/service";
import { Id, STRICT } from "../model";
import { defineAction } from "../registry";
import { checkUserTarget, checkUserTargetIn, checkWebhookTarget } from "../scope";
import { revokeWebhookIn, toWebhookView } from "../tokens";
import { findUserIn } from "../../users/service";

export const revokeSession = defineAction(t.Object({ sessionId: Id }, STRICT), async (tx, ctx, p) => {
  const { deps, actor } = ctx;
  const session = await findSessionIn(tx, p.sessionId);
  await checkUserTargetIn(tx, ctx, session.userId);
  // false: it was already revoked (nothing changed).
  const revoked = Boolean(await revokeSessionIn(tx, deps, session.id, { reason: "revoked_by_webhook", actor }));
  return { response: { sessionId: session.id, userId: session.userId, revoked }, userId: session.userId };
});

export const revokeAllUserSessions = defineAction(t.Object({ userId: Id }, STRICT), async (tx, ctx, p) => {
  const { deps, actor } = ctx;
  const user = await findUserIn(tx, p.userId);
  checkUserTarget(ctx, user);
  const revokedSessions = await revokeUserSessionsIn(tx, deps, user.id, { reason: "revoked_by_webhook", actor });
  return { response: { userId: user.id, revokedSessions }, userId: user.id, detail: { revokedSessions } };
});

export const revokeWebhook = defineAction(t.Object({ webhookId: Id }, STRICT), async (tx, ctx, p) => {
  checkWebhookTarget(ctx, p.webhookId);
  const { deps } = ctx;
  const webhook = await revokeWebhookIn(tx, deps, p.webhookId);
  return { response: { webhook: toWebhookView(webhook) }, detail: { webhookId: webhook.id } };
});
