// Paddle Billing: `Paddle-Signature: ts=<unix s>;h1=<hex>[;h1=…]`, HMAC-SHA256 of `<ts>:<body>`;
// events are `{event_id, event_type, occurred_at, data}` (https://developer.paddle.com/webhooks).
// Subscriptions name only their customer id: the customer.* events say who that is.
import {
  count,
  ignored,
  isoTime,
  type Json,
  type LineItem,
  list,
  mergeItems,
  optIsoTime,
  optRecord,
  optText,
  parseJsonBody,
  record,
  type StoreChange,
  text,
} from "../event";
import { headerPairs, requireHeader, verifyTimestamped } from "../signature";
import type { StoreAdapter } from "./types";

export const paddle: StoreAdapter = {
  provider: "paddle",
  signed: true,
  verify(secret, headers, rawBody, nowMs) {
    const pairs = headerPairs(requireHeader(headers, "Paddle-Signature", "Paddle"), ";");
    const ts = pairs.find(([k]) => k === "ts")?.[1];
    const h1 = pairs.filter(([k, v]) => k === "h1" && v).map(([, v]) => v);
    verifyTimestamped(secret, ts, h1, (t) => `${t}:${rawBody}`, nowMs);
  },
  parse(rawBody) {
    const event = parseJsonBody(rawBody);
    const type = text(event.event_type, "event_type");
    const occurredAt = isoTime(event.occurred_at, "occurred_at");
    const data = record(event.data, "data");
    return {
      provider: "paddle",
      key: text(event.event_id, "event_id"),
      type,
      occurredAt,
      change: change(type, data, occurredAt),
    };
  },
};

function change(type: string, d: Json, occurredAt: number): StoreChange {
  switch (type) {
    case "customer.created":
    case "customer.updated":
      return {
        kind: "customer",
        customer: {
          id: text(d.id, "data.id"),
          email: optText(d.email, "data.email"),
          name: optText(d.name, "data.name"),
        },
      };
    case "transaction.completed":
      return transactionCompleted(d);
    case "subscription.created":
    case "subscription.updated":
    case "subscription.activated":
    case "subscription.resumed":
    case "subscription.past_due":
    case "subscription.paused":
    case "subscription.canceled":
      return subscriptionState(type, d, occurredAt);
    case "adjustment.created":
    case "adjustment.updated":
      return adjustment(d, occurredAt);
    default:
      return ignored(`seatkey does not act on ${type}`);
  }
}

function itemsOf(d: Json): LineItem[] {
  return mergeItems(
    list(d.items, "data.items").map((raw, i) => {
      const item = record(raw, `data.items.${i}`);
      const price = record(item.price, `data.items.${i}.price`);
      const keys = [text(price.id, `data.items.${i}.price.id`), optText(price.product_id, "price.product_id")];
      return {
        keys: keys.filter((k): k is string => k !== null),
        quantity: count(item.quantity ?? 1, `data.items.${i}.quantity`),
      };
    }),
  );
}

function transactionCompleted(d: Json): StoreChange {
  const subscription = optText(d.subscription_id, "data.subscription_id");
  const period = optRecord(d.billing_period, "data.billing_period");
  return {
    kind: "license",
    // A transaction of a subscription is its first payment or a renewal; without one, a one-time purchase.
    reason: subscription && d.origin === "subscription_recurring" ? "renewal" : "purchase",
    ref: subscription ?? text(d.id, "data.id"),
    customer: { id: optText(d.customer_id, "data.customer_id"), email: null, name: null },
    items: itemsOf(d),
    paidUntil: subscription ? optIsoTime(period?.ends_at, "data.billing_period.ends_at") : null,
    endsAt: null,
    aliases: subscription ? [text(d.id, "data.id")] : [],
  };
}

function subscriptionState(type: string, d: Json, occurredAt: number): StoreChange {
  const ref = text(d.id, "data.id");
  const status = text(d.status, "data.status");
  if (status === "canceled")
    return {
      kind: "end",
      reason: "expiry",
      refs: [ref],
      at: optIsoTime(d.canceled_at, "data.canceled_at") ?? occurredAt,
    };
  if (status === "paused")
    return { kind: "end", reason: "pause", refs: [ref], at: optIsoTime(d.paused_at, "data.paused_at") ?? occurredAt };
  const period = optRecord(d.current_billing_period, "data.current_billing_period");
  const scheduled = optRecord(d.scheduled_change, "data.scheduled_change");
  const endsAt =
    scheduled?.action === "cancel" ? isoTime(scheduled.effective_at, "data.scheduled_change.effective_at") : null;
  const transaction = optText(d.transaction_id, "data.transaction_id");
  return {
    kind: "license",
    reason: type === "subscription.created" ? "purchase" : endsAt !== null ? "cancel_at_period_end" : "update",
    ref,
    customer: { id: optText(d.customer_id, "data.customer_id"), email: null, name: null },
    items: itemsOf(d),
    paidUntil: optIsoTime(period?.ends_at, "data.current_billing_period.ends_at"),
    endsAt,
    aliases: transaction ? [transaction] : [],
  };
}

/** Refunds count once approved and for the whole transaction; chargebacks at once. */
function adjustment(d: Json, occurredAt: number): StoreChange {
  const refs = [optText(d.subscription_id, "data.subscription_id"), text(d.transaction_id, "data.transaction_id")];
  const known = refs.filter((r): r is string => r !== null);
  if (d.action === "chargeback") return { kind: "end", reason: "chargeback", refs: known, at: occurredAt };
  if (d.action !== "refund") return ignored(`adjustment ${String(d.action)}`);
  if (d.status !== "approved") return ignored(`refund ${String(d.status)}`);
  if (d.type !== "full") return ignored("partial refund: the license is unchanged");
  return { kind: "end", reason: "refund", refs: known, at: occurredAt };
}
