// What an admin (through /api/admin) or an operator (through `bun run admin`) may do: the store's
// webhook actions run under their name (one use case each, whoever asks), plus a few admin-only
// operations. Each is one write transaction with its audit row, actor "admin:<id>" or "operator".
import { auditIn } from "../audit/audit";
import type { Deps } from "../deps";
import { badRequest } from "../errors";
import { randomToken } from "../lib/crypto";
import { mailPasswordLinkIn } from "../passwords/service";
import { ROLES, type Role } from "../../db/schema";
import { findUserIn, insertUser, toPublicUser } from "../users/service";
import { ACTIONS } from "../webhooks/actions";
import { createWebhookIn, type NewWebhook, setSigningSecretIn } from "../webhooks/tokens";

/** Runs a webhook action (create-user, update-license, revoke-session, …) as an admin or operator. */
export async function runAdminAction(deps: Deps, name: string, payload: Record<string, unknown>, actor: string) {
  const action = ACTIONS.get(name);
  if (!action) throw badRequest("unknown_action", `Unknown action "${name}"`, "action");
  const bound = action.prepare(payload);
  return deps.db.write(async (tx) => {
    // An admin or operator holds every power a webhook token's scope can give.
    const result = await bound(tx, { deps, actor, scope: "admin", webhookId: null });
    await auditIn(tx, deps, {
      event: `admin.${name}`,
      userId: result.userId ?? null,
      actor,
      detail: { result: "success", ...result.detail },
    });
    return result.response as Record<string, unknown>;
  });
}

/** Ends a license now: its sessions become limited at their next refresh. */
export async function endLicense(deps: Deps, licenseId: string, actor: string) {
  return runAdminAction(deps, "update-license", { licenseId, validUntil: deps.clock.now() }, actor);
}

/** A user without a password, and the one-time set-password link mailed to them (returned too). */
export async function createUserAs(deps: Deps, input: { email: string; name: string; role?: string }, actor: string) {
  const role = input.role ?? "OWNER";
  if (!(ROLES as readonly string[]).includes(role)) {
    throw badRequest("invalid_input", `role must be one of ${ROLES.join(", ")}`, "role");
  }
  if (!input.name.trim()) throw badRequest("invalid_input", "name must not be empty", "name");
  return deps.db.write(async (tx) => {
    const user = await insertUser(tx, deps, { email: input.email, name: input.name, role: role as Role });
    const link = await mailPasswordLinkIn(tx, deps, user);
    await auditIn(tx, deps, { event: "admin.create-user", userId: user.id, actor });
    return { user: toPublicUser(user), link };
  });
}

/** A one-time set-password link for a user (also mailed to them); voids older links. */
export async function resetLink(deps: Deps, userId: string, actor: string): Promise<{ userId: string; link: string }> {
  return deps.db.write(async (tx) => {
    const user = await findUserIn(tx, userId);
    const link = await mailPasswordLinkIn(tx, deps, user);
    await auditIn(tx, deps, { event: "admin.reset-link", userId: user.id, actor });
    return { userId: user.id, link };
  });
}

export async function createWebhookAs(deps: Deps, input: Omit<NewWebhook, "actor">, actor: string) {
  return deps.db.write((tx) => createWebhookIn(tx, deps, { ...input, actor }));
}

/**
 * A new signing secret for a webhook: the one given (a store shows its own in its dashboard) or
 * a fresh random one. Returned this once.
 */
export async function rotateWebhookSecret(deps: Deps, webhookId: string, secret: string | undefined, actor: string) {
  const signingSecret = secret ?? `whsec_${randomToken()}`;
  if (signingSecret.length < 6 || signingSecret.length > 256) {
    throw badRequest("invalid_input", "signingSecret must be 6 to 256 characters", "signingSecret");
  }
  const webhook = await deps.db.write(async (tx) => {
    const view = await setSigningSecretIn(tx, deps, webhookId, signingSecret);
    await auditIn(tx, deps, { event: "admin.rotate-webhook-secret", actor, detail: { webhookId } });
    return view;
  });
  return { webhook, signingSecret };
}
