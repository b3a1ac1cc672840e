// Receiving a webhook delivery: token → rate limit → signature (over the raw body) → parse →
// action lookup and payload validation → (idempotency claim) → one write transaction running the
// action with its audit row, its mail and the stored response.
import { auditIn, audit } from "../audit/audit";
import type { Deps } from "../deps";
import { AppError, badRequest } from "../errors";
import { hitRateLimit } from "../rate-limits/service";
import { receiveStoreEvent } from "../stores/service";
import { ACTIONS } from "./actions";
import { type Claim, finishClaimIn, type Reply, withIdempotency } from "./idempotency";
import { MAX_EVENT_KEY } from "./model";
import type { ActionContext, BoundAction } from "./registry";
import { verifyWebhookSignature } from "./signature";
import { authenticateWebhook, touchWebhook } from "./tokens";

export interface Delivery {
  token: string | undefined;
  rawBody: string;
  headers: Headers;
}

interface ParsedDelivery {
  name: string;
  payload: Record<string, unknown>;
  eventId: string | undefined;
}

export async function receiveWebhook(deps: Deps, delivery: Delivery): Promise<Reply> {
  const started = performance.now();
  const webhook = await authenticateWebhook(deps, delivery.token);
  await hitRateLimit(deps, { key: `webhook:${webhook.id}`, rule: deps.config.rateLimits.webhookPerToken });
  if (webhook.provider !== "seatkey") {
    // A store endpoint: the store's native events and its own signature scheme only.
    const reply = await receiveStoreEvent(deps, webhook, delivery);
    await touchWebhook(deps, webhook);
    return reply;
  }
  verifyWebhookSignature(deps, webhook, delivery.headers, delivery.rawBody);
  await touchWebhook(deps, webhook);

  const { name, payload, eventId } = parseDelivery(delivery.rawBody);
  const action = ACTIONS.get(name);
  if (!action) {
    const valid = [...ACTIONS.keys()].join(", ");
    throw badRequest("unknown_action", `Unknown action "${name.slice(0, 64)}"; valid actions: ${valid}`, "action");
  }
  const ctx: ActionContext = { deps, actor: `webhook:${webhook.id}`, scope: webhook.scope, webhookId: webhook.id };
  const key = eventKey(delivery.headers.get("idempotency-key"), eventId);
  try {
    const bound = action.prepare(payload);
    const run = (claim?: Claim) => commit(ctx, name, bound, claim, started);
    return key === undefined ? await run() : await withIdempotency(deps, webhook.id, key, run);
  } catch (error) {
    // The failed change rolled back; record the refusal on its own.
    if (error instanceof AppError && error.code !== "in_progress") {
      await audit(deps, { event: `webhook.${name}`, actor: ctx.actor, detail: { result: error.code } });
    }
    throw error;
  }
}

/** `{action, id?, ...payload}` → its parts; 400 for anything else. */
function parseDelivery(rawBody: string): ParsedDelivery {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw badRequest("invalid_body", 'Request body must be JSON like {"action": "grant-license", …}');
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("invalid_body", "Request body must be a JSON object");
  }
  const { action, id, ...payload } = body as Record<string, unknown>;
  if (typeof action !== "string" || action.length === 0) {
    throw badRequest("invalid_input", "Invalid or missing field: action", "action");
  }
  if (id !== undefined && typeof id !== "string" && !Number.isSafeInteger(id)) {
    throw badRequest("invalid_input", "Invalid field: id (the event id must be a string or an integer)", "id");
  }
  return { name: action, payload, eventId: id === undefined ? undefined : typedEventId(id as string | number) };
}

// Keys are typed, so an event id 1 and an event id "1" are two events: an integer is marked with a
// control character, which string keys may not contain (a header cannot carry one either).
// String keys keep their plain form, so records stored before this change still match.
const INTEGER_MARK = "\u001f#";
const CONTROL = /\p{Cc}/u;

function typedEventId(id: string | number): string {
  if (typeof id === "number") return `${INTEGER_MARK}${id}`;
  if (CONTROL.test(id)) throw badRequest("invalid_input", "Invalid field: id (no control characters)", "id");
  return id;
}

/** The Idempotency-Key header wins over the body's event id. */
function eventKey(header: string | null, eventId: string | undefined): string | undefined {
  const key = header?.trim() || eventId;
  if (key !== undefined && (key.length === 0 || key.length > MAX_EVENT_KEY || (key === header && CONTROL.test(key)))) {
    throw badRequest(
      "invalid_input",
      `Idempotency-Key / id must be 1 to ${MAX_EVENT_KEY} characters, without control characters`,
      "Idempotency-Key",
    );
  }
  return key;
}

/** Runs the action, its audit row and (when keyed) the stored response in one transaction. */
async function commit(ctx: ActionContext, name: string, bound: BoundAction, claim: Claim | undefined, started: number) {
  const { deps } = ctx;
  const body = await deps.db.write(async (tx) => {
    const result = await bound(tx, ctx);
    // `time`: milliseconds the server took, request received → change committed.
    const body = { success: true, response: result.response, time: Math.round(performance.now() - started) };
    await auditIn(tx, deps, {
      event: `webhook.${name}`,
      userId: result.userId ?? null,
      actor: ctx.actor,
      detail: { result: "success", ...result.detail },
    });
    if (claim) await finishClaimIn(tx, claim, 200, body);
    return body;
  });
  return { status: 200, body, replayed: false };
}
