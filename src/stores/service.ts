// Receiving a store's native event on a provider endpoint: verify the store's own signature →
// parse → store the event (a repeat answers as the first time) → fetch what the event leaves out
// (Stripe checkout line items, when configured) → apply in one write transaction → apply the
// events that were parked waiting for what this one brought. A failed apply answers 500, so the
// store retries, and stays visible to operators as `failed`.
import type { StoreEventRow, StoreEventStatus, WebhookToken } from "../../db/schema";
import { auditIn } from "../audit/audit";
import type { Deps } from "../deps";
import { AppError } from "../errors";
import { unseal } from "../lib/crypto";
import { type Applied, type ApplyContext, applyIn } from "./apply";
import type { StoreEvent } from "./event";
import { eventBody, findEvent, markEventIn, type Outcome, parkedOn, recordEvent, toEventView } from "./log";
import { STORES } from "./providers";
import { findStoreWebhook } from "../webhooks/tokens";
import { withCheckoutLineItems } from "./stripe-api";

/** How many parked events one delivery may wake (each in its own transaction). */
const MAX_WAKES = 100;

export interface StoreReply {
  status: number;
  body: unknown;
  replayed: boolean;
}

export async function receiveStoreEvent(
  deps: Deps,
  webhook: WebhookToken,
  delivery: { rawBody: string; headers: Headers },
): Promise<StoreReply> {
  const provider = webhook.provider;
  if (provider === "seatkey") throw new Error("receiveStoreEvent: not a store endpoint");
  const store = STORES[provider];
  if (store.signed) {
    if (webhook.signingSecretSealed === null)
      throw new AppError(401, "invalid_signature", "This endpoint has no signing secret");
    store.verify(
      unseal(deps.keys.secretKey, webhook.signingSecretSealed),
      delivery.headers,
      delivery.rawBody,
      deps.clock.now(),
    );
  }
  const event = store.parse(delivery.rawBody, delivery.headers);
  const { row, repeat } = await recordEvent(deps, webhook.id, event, delivery.rawBody);
  // A repeat of a settled event changes nothing; one that failed (or never finished) is tried again.
  if (repeat && row.status !== "failed" && row.status !== "received") {
    return { status: 200, body: answer(row.id, row), replayed: true };
  }
  const outcome = await process(deps, webhook, row, event);
  if (outcome.status === "failed") {
    return {
      status: 500,
      body: { error: `Applying the event failed: ${outcome.error}`, code: "store_event_failed" },
      replayed: false,
    };
  }
  return { status: 200, body: answer(row.id, outcome), replayed: false };
}

function answer(id: string, outcome: { status: StoreEventStatus; error: string | null }) {
  return { success: true, response: { eventId: id, status: outcome.status, note: outcome.error } };
}

/** Re-applies a stored event (after the product map was fixed, or a failure's cause removed). */
export async function replayStoreEvent(deps: Deps, input: { webhookId: string; eventId: string }) {
  const webhook = await findStoreWebhook(deps, input.webhookId);
  const row = await findEvent(deps, input.eventId);
  if (row.webhookId !== webhook.id || webhook.provider === "seatkey") {
    throw new AppError(404, "store_event_not_found", "No store event with this id");
  }
  const event = STORES[webhook.provider].parse(eventBody(deps, row), new Headers());
  const outcome = await process(deps, webhook, row, event);
  return { ...toEventView(row), status: outcome.status, error: outcome.error, waitingFor: outcome.waitingFor ?? null };
}

async function process(deps: Deps, webhook: WebhookToken, row: StoreEventRow, event: StoreEvent): Promise<Outcome> {
  const ctx: ApplyContext = { deps, webhookId: webhook.id, provider: event.provider, actor: `webhook:${webhook.id}` };
  const outcome = await applyRecorded(ctx, row, event);
  await wakeParked(ctx, outcome.wakes);
  return outcome;
}

/** Applies and records the outcome in one transaction; a failure is recorded on its own. */
async function applyRecorded(ctx: ApplyContext, row: StoreEventRow, event: StoreEvent): Promise<Applied> {
  const { deps } = ctx;
  try {
    const enriched = await withCheckoutLineItems(deps, event);
    return await deps.db.write(async (tx) => {
      const outcome = await applyIn(tx, ctx, enriched);
      await markEventIn(tx, deps, row.id, outcome);
      await auditIn(tx, deps, {
        event: `store.${outcome.status}`,
        actor: ctx.actor,
        detail: { storeEventId: row.id, type: event.type, licenseId: outcome.licenseId ?? null, note: outcome.error },
      });
      return outcome;
    });
  } catch (error) {
    const message = error instanceof AppError ? `${error.code}: ${error.message}` : "internal error";
    if (!(error instanceof AppError))
      deps.log.error("store event: apply failed", { storeEventId: row.id, error: String(error) });
    await deps.db.write((tx) => markEventIn(tx, deps, row.id, { status: "failed", error: message }));
    return { status: "failed", error: message, wakes: [] };
  }
}

/** Applies, oldest first, the parked events waiting for what just arrived (and what those bring). */
async function wakeParked(ctx: ApplyContext, keys: string[]): Promise<void> {
  const queue = [...keys];
  const seen = new Set<string>();
  for (let woken = 0; queue.length > 0 && woken < MAX_WAKES;) {
    const batch = queue.splice(0).filter((k) => !seen.has(k));
    batch.forEach((k) => seen.add(k));
    for (const row of await parkedOn(ctx.deps, ctx.webhookId, batch)) {
      const event = STORES[ctx.provider].parse(eventBody(ctx.deps, row), new Headers());
      const outcome = await applyRecorded(ctx, row, event);
      queue.push(...outcome.wakes);
      woken++;
    }
  }
}
