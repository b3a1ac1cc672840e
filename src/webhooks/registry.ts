// The webhook action registry: kebab-case name → { schema, handler }. A handler runs inside the
// one write transaction the dispatcher opens (with the audit row and the idempotency record);
// mail is queued in it too (queueMailIn), so it goes out if and only if the change commits.
import type { Static, TSchema } from "elysia";
import { TypeCompiler } from "elysia/type-system";
import type { Tx } from "../../db/client";
import type { WebhookScope } from "../../db/schema";
import type { Deps } from "../deps";
import { badRequest, fieldName } from "../errors";

export interface ActionContext {
  deps: Deps;
  /** "webhook:<id>", for audit rows and revocations. */
  actor: string;
  /** What the caller may do (src/webhooks/scope.ts): a token's scope, or "admin" for admins and operators. */
  scope: WebhookScope;
  /** The calling webhook token; null for an admin or operator. */
  webhookId: string | null;
}

export interface ActionResult {
  response: unknown;
  /** The user the action concerned, for the audit row. */
  userId?: string | null;
  /** Extra audit detail (never a token). */
  detail?: Record<string, unknown>;
}

export type BoundAction = (tx: Tx, ctx: ActionContext) => Promise<ActionResult>;

export interface Action {
  schema: TSchema;
  /** Validates a payload (400 invalid_input naming the field) and binds it to the handler. */
  prepare(payload: unknown): BoundAction;
}

export function defineAction<S extends TSchema>(
  schema: S,
  handler: (tx: Tx, ctx: ActionContext, payload: Static<S>) => Promise<ActionResult>,
): Action {
  const check = TypeCompiler.Compile(schema);
  return {
    schema,
    prepare(payload) {
      if (!check.Check(payload)) {
        throw invalidField(check.Errors(payload).First());
      }
      return (tx, ctx) => handler(tx, ctx, payload);
    },
  };
}

/** 400 invalid_input naming the first bad field, in words a store developer can act on. */
function invalidField(error: { path: string; message: string; schema: unknown } | undefined) {
  const field = (error && fieldName(error.path)) || "payload";
  const allowed = (error?.schema as { enum?: unknown } | undefined)?.enum;
  const why =
    error?.message === "Unexpected property"
      ? "unknown field"
      : Array.isArray(allowed)
        ? `must be one of ${allowed.join(", ")}`
        : (error?.message ?? "invalid");
  return badRequest("invalid_input", `Invalid or missing field: ${field} (${why})`, field);
}
