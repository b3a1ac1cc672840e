// Lemon Squeezy: `X-Signature: <hex HMAC-SHA256 of the raw body>`; events are JSON:API documents
// `{meta: {event_name, custom_data?}, data: {type, id, attributes}}`
// (https://docs.lemonsqueezy.com/help/webhooks). They carry no event id, so the key is derived from
// the event name, the object id, its `updated_at` and the body's hash.
// A subscription's license is keyed by its order id: `order_created` (sent for every purchase)
// and the subscription's own events then describe one license, in whatever order they arrive.
import { sha256Hex } from "../../lib/crypto";
import {
  count,
  ignored,
  type Json,
  optIsoTime,
  optRecord,
  optText,
  parseJsonBody,
  isoTime,
  record,
  type StoreChange,
  type StoreCustomer,
  text,
} from "../event";
import { requireHeader, verifyHex } from "../signature";
import type { StoreAdapter } from "./types";

export const lemonsqueezy: StoreAdapter = {
  provider: "lemonsqueezy",
  signed: true,
  verify(secret, headers, rawBody) {
    verifyHex(secret, [requireHeader(headers, "X-Signature", "Lemon Squeezy")], rawBody);
  },
  parse(rawBody) {
    const body = parseJsonBody(rawBody);
    const type = text(record(body.meta, "meta").event_name, "meta.event_name");
    const data = record(body.data, "data");
    const id = text(data.id, "data.id");
    const a = record(data.attributes, "data.attributes");
    const occurredAt = isoTime(a.updated_at ?? a.created_at, "data.attributes.updated_at");
    const key = `${type}:${id}:${occurredAt}:${sha256Hex(rawBody)}`;
    return { provider: "lemonsqueezy", key, type, occurredAt, change: change(type, id, a, occurredAt) };
  },
};

function customerOf(a: Json): StoreCustomer {
  return {
    id: optText(a.customer_id, "data.attributes.customer_id"),
    email: optText(a.user_email, "data.attributes.user_email"),
    name: optText(a.user_name, "data.attributes.user_name"),
  };
}

function change(type: string, id: string, a: Json, occurredAt: number): StoreChange {
  switch (type) {
    case "order_created":
      return orderCreated(id, a);
    case "order_refunded":
      return { kind: "end", reason: "refund", refs: [id], at: optIsoTime(a.refunded_at, "refunded_at") ?? occurredAt };
    case "subscription_created":
    case "subscription_updated":
    case "subscription_resumed":
    case "subscription_unpaused":
    case "subscription_cancelled":
    case "subscription_paused":
    case "subscription_expired":
      return subscriptionState(type, a, occurredAt);
    case "subscription_payment_success":
      // The new period end comes with the subscription_updated Lemon Squeezy sends for the same payment.
      return ignored("payment recorded; the subscription_updated sent with it carries the renewal date");
    default:
      return ignored(`seatkey does not act on ${type}`);
  }
}

function orderCreated(id: string, a: Json): StoreChange {
  if (a.status !== "paid") return ignored(`order status ${String(a.status)}`);
  const item = record(a.first_order_item, "data.attributes.first_order_item");
  return {
    kind: "license",
    reason: "purchase",
    ref: id,
    customer: customerOf(a),
    items: [
      {
        keys: [
          text(item.variant_id, "first_order_item.variant_id"),
          text(item.product_id, "first_order_item.product_id"),
        ],
        quantity: count(item.quantity ?? 1, "first_order_item.quantity"),
      },
    ],
    paidUntil: null,
    endsAt: null,
    // For a subscription the subscription events describe the license better; never override them.
    createOnly: true,
    aliases: [],
  };
}

function subscriptionState(type: string, a: Json, occurredAt: number): StoreChange {
  const ref = text(a.order_id, "data.attributes.order_id");
  const status = text(a.status, "data.attributes.status");
  const endsAt = optIsoTime(a.ends_at, "data.attributes.ends_at");
  if (status === "expired" || status === "unpaid")
    return { kind: "end", reason: "expiry", refs: [ref], at: endsAt ?? occurredAt };
  // A paused subscription gives no access (Lemon Squeezy's "void" pause) until it is unpaused.
  if (status === "paused") return { kind: "end", reason: "pause", refs: [ref], at: occurredAt };
  const item = optRecord(a.first_subscription_item, "data.attributes.first_subscription_item");
  const quantity = item ? count(item.quantity ?? 1, "first_subscription_item.quantity") : 1;
  const cancelled = status === "cancelled" || a.cancelled === true;
  return {
    kind: "license",
    reason: type === "subscription_created" ? "purchase" : cancelled ? "cancel_at_period_end" : "update",
    ref,
    customer: customerOf(a),
    items: [
      {
        keys: [text(a.variant_id, "data.attributes.variant_id"), text(a.product_id, "data.attributes.product_id")],
        quantity,
      },
    ],
    paidUntil: optIsoTime(a.renews_at, "data.attributes.renews_at") ?? optIsoTime(a.trial_ends_at, "trial_ends_at"),
    endsAt: cancelled ? (endsAt ?? occurredAt) : null,
    aliases: [],
  };
}
