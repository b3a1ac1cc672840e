// Webhook tokens: the credential a store uses to call POST /api/webhooks. Shown once at creation,
// stored as SHA-256 only (looking up by hash leaks nothing through timing). An optional signing
// secret is sealed with SECRET_KEY because it must be read back to check HMAC signatures.
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { webhookTokens, type WebhookProvider, type WebhookScope, type WebhookToken } from "../../db/schema";
import { auditIn } from "../audit/audit";
import type { Deps } from "../deps";
import { badRequest, conflict, notFound, unauthorized } from "../errors";
import { STORES } from "../stores/providers";
import { newId, randomToken, seal, sha256Hex } from "../lib/crypto";
import { touchDue } from "../lib/touch";

export interface CreatedWebhook {
  id: string;
  name: string;
  provider: WebhookProvider;
  scope: WebhookScope;
  /** The raw token: returned this once, never stored. */
  token: string;
  /** What to paste into the store; for a store endpoint it carries the token (stores only take a URL). */
  url: string;
}

/** A store endpoint checks its store's signature, so it needs the store's signing secret; Gumroad signs nothing. */
function checkSecret(provider: WebhookProvider, signingSecret: string | undefined) {
  if (provider === "seatkey") return;
  if (STORES[provider].signed && !signingSecret) {
    throw badRequest(
      "invalid_input",
      `A ${provider} endpoint needs the signingSecret the store shows for it`,
      "signingSecret",
    );
  }
  if (!STORES[provider].signed && signingSecret) {
    throw badRequest(
      "invalid_input",
      `${provider} signs nothing: its endpoint takes no signingSecret`,
      "signingSecret",
    );
  }
}

export interface NewWebhook {
  name: string;
  /** Who sends the deliveries: seatkey's actions (default) or one store's native events. */
  provider?: WebhookProvider | undefined;
  /** "store" (default) or "admin": only a seatkey-action token may have the admin scope. */
  scope?: WebhookScope | undefined;
  signingSecret?: string | undefined;
  /** The admin it belongs to; null when an operator made it from the terminal. */
  createdBy: string | null;
  /** Who is creating it, for the audit log: "admin:<id>" unless given. */
  actor?: string;
}

/** Creates a webhook token inside an open transaction; the raw token is in the answer only. */
export async function createWebhookIn(tx: Tx, deps: Pick<Deps, "clock" | "config" | "keys">, input: NewWebhook) {
  const provider = input.provider ?? "seatkey";
  const scope = input.scope ?? "store";
  checkSecret(provider, input.signingSecret);
  if (scope === "admin" && provider !== "seatkey") {
    throw badRequest(
      "invalid_input",
      `A ${provider} endpoint only applies store events: it takes no admin scope`,
      "scope",
    );
  }
  const token = randomToken();
  const id = newId();
  const name = input.name.trim();
  await tx.insert(webhookTokens).values({
    id,
    createdBy: input.createdBy,
    name,
    provider,
    scope,
    tokenHash: sha256Hex(token),
    signingSecretSealed: input.signingSecret ? seal(deps.keys.secretKey, input.signingSecret) : null,
    createdAt: deps.clock.now(),
  });
  await auditIn(tx, deps, {
    event: "webhook.created",
    actor: input.actor ?? `admin:${input.createdBy}`,
    detail: { webhookId: id, name, provider, scope, signed: Boolean(input.signingSecret) },
  });
  const base = `${deps.config.publicUrl}/api/webhooks`;
  const url = provider === "seatkey" ? base : `${base}?token=${token}`;
  return { id, name, provider, scope, token, url } satisfies CreatedWebhook;
}

export async function createWebhook(deps: Deps, input: NewWebhook): Promise<CreatedWebhook> {
  return deps.db.write((tx) => createWebhookIn(tx, deps, input));
}

/** A store endpoint by id (admin routes); 404 for an unknown id or a seatkey endpoint. */
export async function findStoreWebhook(deps: Pick<Deps, "db">, webhookId: string): Promise<WebhookToken> {
  const webhook = await deps.db.orm.query.webhookTokens.findFirst({ where: eq(webhookTokens.id, webhookId) });
  if (!webhook || webhook.provider === "seatkey") throw notFound("webhook_not_found", "No store endpoint with this id");
  return webhook;
}

/** The live webhook a raw token belongs to; 401 when missing, unknown or revoked. */
export async function authenticateWebhook(deps: Deps, token: string | undefined): Promise<WebhookToken> {
  if (!token) {
    throw unauthorized("missing_token", "Send the webhook token: Authorization: Bearer <token> or ?token=<token>");
  }
  const webhook =
    token.length <= 200
      ? await deps.db.orm.query.webhookTokens.findFirst({ where: eq(webhookTokens.tokenHash, sha256Hex(token)) })
      : undefined;
  if (!webhook) throw unauthorized("invalid_token", "Unknown webhook token");
  if (webhook.revokedAt !== null) throw unauthorized("token_revoked", "This webhook token has been revoked");
  return webhook;
}

/** Records that the webhook was used (at most once a minute: touchDue). */
export async function touchWebhook(deps: Deps, webhook: WebhookToken): Promise<void> {
  const now = deps.clock.now();
  if (!touchDue(webhook.lastUsedAt, now)) return;
  await deps.db.write((tx) =>
    tx.update(webhookTokens).set({ lastUsedAt: now }).where(eq(webhookTokens.id, webhook.id)),
  );
}

/** What may be shown of a webhook: never its token hash or signing secret. */
export function toWebhookView(webhook: WebhookToken) {
  return {
    id: webhook.id,
    name: webhook.name,
    provider: webhook.provider,
    scope: webhook.scope,
    createdBy: webhook.createdBy,
    signed: webhook.signingSecretSealed !== null,
    createdAt: webhook.createdAt,
    lastUsedAt: webhook.lastUsedAt,
    revokedAt: webhook.revokedAt,
  };
}

/** Revokes a webhook token (keeping the first revocation time); 404 when unknown. */
export async function revokeWebhookIn(tx: Tx, deps: Pick<Deps, "clock">, webhookId: string): Promise<WebhookToken> {
  const webhook = await tx.query.webhookTokens.findFirst({ where: eq(webhookTokens.id, webhookId) });
  if (!webhook) throw notFound("webhook_not_found", "No webhook with this webhookId");
  if (webhook.revokedAt !== null) return webhook;
  const [revoked] = await tx
    .update(webhookTokens)
    .set({ revokedAt: deps.clock.now() })
    .where(eq(webhookTokens.id, webhookId))
    .returning();
  return revoked as WebhookToken;
}

/** The webhooks a user created, newest first (admin view). */
export async function listWebhooksCreatedBy(deps: Deps, userId: string): Promise<WebhookToken[]> {
  return deps.db.orm
    .select()
    .from(webhookTokens)
    .where(eq(webhookTokens.createdBy, userId))
    .orderBy(desc(webhookTokens.createdAt));
}

/** Every webhook, newest first (revoked ones too: the list says so). */
export async function listWebhooks(deps: Deps) {
  const rows = await deps.db.orm.select().from(webhookTokens).orderBy(desc(webhookTokens.createdAt));
  return rows.map(toWebhookView);
}

/**
 * Replaces a webhook's signing secret; from then on deliveries must be signed with the new one.
 * 404 when unknown, 409 when revoked.
 */
export async function setSigningSecretIn(tx: Tx, deps: Pick<Deps, "keys">, webhookId: string, secret: string) {
  const [updated] = await tx
    .update(webhookTokens)
    .set({ signingSecretSealed: seal(deps.keys.secretKey, secret) })
    .where(and(eq(webhookTokens.id, webhookId), isNull(webhookTokens.revokedAt)))
    .returning();
  if (updated) return toWebhookView(updated);
  const exists = await tx.query.webhookTokens.findFirst({ where: eq(webhookTokens.id, webhookId) });
  if (!exists) throw notFound("webhook_not_found", "No webhook with this webhookId");
  throw conflict("webhook_revoked", "This webhook is revoked; create a new one");
}
