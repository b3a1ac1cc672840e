// Webhook-token scopes (README "Webhook token scopes"). A store's token is a credential that lives on
// someone else's servers: with the default "store" scope it manages customers only. It cannot make
// anyone an ADMIN, cannot change, remove or sign out an existing ADMIN (taking over an admin's
// address would hand over the admin), and can revoke no token but itself. The "admin" scope lifts
// these limits and is given only when an admin asks for it.
import type { Tx } from "../../db/client";
import type { Role, User } from "../../db/schema";
import { forbidden } from "../errors";
import { findUserIn } from "../users/service";
import type { ActionContext } from "./registry";

function refuse(what: string): never {
  throw forbidden(
    "insufficient_scope",
    `This webhook token has the store scope: it cannot ${what}. An admin can create a token with scope "admin" for that.`,
  );
}

/** A role being given by the action: ADMIN needs the admin scope. */
export function checkRoleGrant(ctx: ActionContext, role: Role | undefined): void {
  if (role === "ADMIN" && ctx.scope !== "admin") refuse("grant the ADMIN role");
}

/** The user an action changes, removes or signs out: an ADMIN needs the admin scope. */
export function checkUserTarget(ctx: ActionContext, user: Pick<User, "role">): void {
  if (user.role === "ADMIN" && ctx.scope !== "admin") refuse("change, remove or sign out an ADMIN");
}

/** checkUserTarget by id, for actions that do not load the user themselves (no read for the admin scope). */
export async function checkUserTargetIn(tx: Tx, ctx: ActionContext, userId: string): Promise<void> {
  if (ctx.scope !== "admin") checkUserTarget(ctx, await findUserIn(tx, userId));
}

/** A token revoked by the action: with the store scope, only the calling token itself. */
export function checkWebhookTarget(ctx: ActionContext, webhookId: string): void {
  if (ctx.scope !== "admin" && webhookId !== ctx.webhookId) refuse("revoke another webhook token");
}
