// Stripe: `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=…]`, HMAC-SHA256 of `<t>.<body>`; events are
// `{id, type, created, data: {object}}` (https://docs.stripe.com/webhooks). Field names are read
// for both the current API (items carry the period; invoices name the subscription under
// `parent`) and older pinned versions (period and subscription at the top).
import {
  count,
  ignored,
  type Json,
  type LineItem,
  list,
  mergeItems,
  optRecord,
  optSeconds,
  optText,
  parseJsonBody,
  record,
  seconds,
  type StoreChange,
  type StoreCustomer,
  text,
} from "../event";
import { headerPairs, requireHeader, verifyTimestamped } from "../signature";
import type { StoreAdapter } from "./types";

export const stripe: StoreAdapter = {
  provider: "stripe",
  signed: true,
  verify: (secret, headers, rawBody, nowMs) => verifyStripeScheme(secret, headers, rawBody, nowMs, "Stripe"),
  parse(rawBody) {
    const event = parseJsonBody(rawBody);
    const type = text(event.type, "type");
    const object = record(record(event.data, "data").object, "data.object");
    const occurredAt = seconds(event.created, "created");
    return {
      provider: "stripe",
      key: text(event.id, "id"),
      type,
      occurredAt,
      change: change(type, object, occurredAt),
    };
  },
};

/** Stripe's scheme, also the one scheme of signed `seatkey` endpoints (`label` names the endpoint kind). */
export function verifyStripeScheme(secret: string, headers: Headers, rawBody: string, nowMs: number, label: string) {
  const pairs = headerPairs(requireHeader(headers, "Stripe-Signature", label), ",");
  const t = pairs.find(([k]) => k === "t")?.[1];
  const v1 = pairs.filter(([k, v]) => k === "v1" && v).map(([, v]) => v);
  verifyTimestamped(secret, t, v1, (ts) => `${ts}.${rawBody}`, nowMs);
}

function change(type: string, o: Json, occurredAt: number): StoreChange {
  switch (type) {
    case "customer.created":
    case "customer.updated":
      return {
        kind: "customer",
        customer: { id: text(o.id, "data.object.id"), email: optText(o.email, "email"), name: optText(o.name, "name") },
      };
    case "checkout.session.completed":
      return checkoutCompleted(o);
    case "customer.subscription.created":
    case "customer.subscription.updated":
      return subscriptionState(type, o, occurredAt);
    case "customer.subscription.deleted":
      return {
        kind: "end",
        reason: "expiry",
        refs: [text(o.id, "data.object.id")],
        at: optSeconds(o.ended_at, "ended_at") ?? occurredAt,
      };
    case "invoice.paid":
      return invoicePaid(o);
    case "charge.refunded":
      // A partial refund leaves the purchase in place; a full one ends it.
      if (o.refunded !== true) return ignored("partial refund: the license is unchanged");
      return { kind: "end", reason: "refund", refs: refsOf(o, ["payment_intent", "id", "invoice"]), at: occurredAt };
    case "charge.dispute.created":
      return { kind: "end", reason: "chargeback", refs: refsOf(o, ["payment_intent", "charge"]), at: occurredAt };
    default:
      return ignored(`seatkey does not act on ${type}`);
  }
}

const idOf = (value: unknown, field: string) =>
  typeof value === "object" && value !== null ? optText((value as Json).id, field) : optText(value, field);

function refsOf(o: Json, fields: string[]): string[] {
  return fields.map((f) => idOf(o[f], f)).filter((v): v is string => v !== null);
}

function checkoutCompleted(o: Json): StoreChange {
  const details = optRecord(o.customer_details, "customer_details");
  const customer: StoreCustomer = {
    id: idOf(o.customer, "customer"),
    email: optText(details?.email, "customer_details.email") ?? optText(o.customer_email, "customer_email"),
    name: optText(details?.name, "customer_details.name"),
  };
  if (o.payment_status !== "paid" && o.payment_status !== "no_payment_required") {
    return ignored("checkout not paid yet (asynchronous payment)");
  }
  // A subscription checkout: the customer.subscription.* events carry the items; this one says who the customer is.
  if (o.mode === "subscription")
    return customer.id ? { kind: "customer", customer } : ignored("no customer on checkout");
  if (o.mode !== "payment") return ignored(`checkout mode ${String(o.mode)}`);
  const ref = idOf(o.payment_intent, "payment_intent") ?? text(o.id, "data.object.id");
  return {
    kind: "license",
    reason: "purchase",
    ref,
    customer,
    // Stripe leaves line items out of the event: the checkout metadata names them, else they are fetched.
    items: metadataItems(optRecord(o.metadata, "metadata")) ?? "fetch",
    paidUntil: null,
    endsAt: null,
    aliases: [text(o.id, "data.object.id")],
  };
}

/** `metadata.seatkey_price` (a product-map id) and optional `metadata.seatkey_quantity`. */
function metadataItems(metadata: Json | null): LineItem[] | null {
  const key = optText(metadata?.seatkey_price, "metadata.seatkey_price");
  if (key === null) return null;
  const quantity =
    metadata?.seatkey_quantity === undefined ? 1 : count(metadata.seatkey_quantity, "metadata.seatkey_quantity");
  return [{ keys: [key], quantity }];
}

/** A price as a line item: its id, then its product's (the map may name either). */
function priceItem(price: unknown, quantity: unknown, field: string): LineItem {
  const p = typeof price === "string" ? { id: price } : record(price, field);
  const keys = [text(p.id, `${field}.id`), idOf(p.product, `${field}.product`)].filter((k): k is string => k !== null);
  return { keys, quantity: quantity === null || quantity === undefined ? 1 : count(quantity, `${field}.quantity`) };
}

function subscriptionState(type: string, o: Json, occurredAt: number): StoreChange {
  const ref = text(o.id, "data.object.id");
  const status = text(o.status, "status");
  if (status === "incomplete") return ignored("subscription not paid yet (incomplete)");
  if (status === "canceled" || status === "incomplete_expired" || status === "unpaid" || status === "paused") {
    return {
      kind: "end",
      reason: status === "paused" ? "pause" : "expiry",
      refs: [ref],
      at: optSeconds(o.ended_at, "ended_at") ?? occurredAt,
    };
  }
  const items = list(record(o.items, "items").data, "items.data").map((raw, i) => record(raw, `items.data.${i}`));
  const periodEnds = items.map((item, i) => optSeconds(item.current_period_end, `items.data.${i}.current_period_end`));
  const paidUntil =
    optSeconds(o.current_period_end, "current_period_end") ?? Math.max(0, ...periodEnds.map((e) => e ?? 0));
  const endsAt = optSeconds(o.cancel_at, "cancel_at") ?? (o.cancel_at_period_end === true ? paidUntil : null);
  return {
    kind: "license",
    reason: type.endsWith("created") ? "purchase" : endsAt !== null ? "cancel_at_period_end" : "update",
    ref,
    customer: { id: idOf(o.customer, "customer"), email: null, name: null },
    items: mergeItems(
      items.map((item, i) => priceItem(item.price ?? item.plan, item.quantity, `items.data.${i}.price`)),
    ),
    paidUntil: paidUntil > 0 ? paidUntil : null,
    endsAt,
    aliases: [],
  };
}

function invoicePaid(o: Json): StoreChange {
  const parent = optRecord(o.parent, "parent");
  const details = optRecord(parent?.subscription_details, "parent.subscription_details");
  const ref =
    idOf(o.subscription, "subscription") ?? idOf(details?.subscription, "parent.subscription_details.subscription");
  if (ref === null) return ignored("invoice without a subscription");
  const lines = list(record(o.lines, "lines").data, "lines.data").map((raw, i) => record(raw, `lines.data.${i}`));
  // Proration lines (credit for unused time, charge for the rest) are not what the customer now holds.
  const current = lines.filter((line) => !isProration(line));
  const items = current.map((line, i) => priceItem(linePrice(line, i), line.quantity, `lines.data.${i}.price`));
  const ends = current.map((line, i) =>
    seconds(record(line.period, `lines.data.${i}.period`).end, `lines.data.${i}.period.end`),
  );
  return {
    kind: "license",
    reason: o.billing_reason === "subscription_create" ? "purchase" : "renewal",
    ref,
    customer: {
      id: idOf(o.customer, "customer"),
      email: optText(o.customer_email, "customer_email"),
      name: optText(o.customer_name, "customer_name"),
    },
    items: items.length > 0 ? mergeItems(items) : null,
    paidUntil: ends.length > 0 ? Math.max(...ends) : null,
    endsAt: null,
    aliases: refsOf(o, ["id", "payment_intent", "charge"]),
  };
}

function isProration(line: Json): boolean {
  const parent = optRecord(line.parent, "lines.parent");
  const item = optRecord(parent?.subscription_item_details, "lines.parent.subscription_item_details");
  return line.proration === true || item?.proration === true;
}

function linePrice(line: Json, i: number): unknown {
  if (line.price) return line.price;
  const pricing = optRecord(line.pricing, `lines.data.${i}.pricing`);
  const details = optRecord(pricing?.price_details, `lines.data.${i}.pricing.price_details`);
  return details ? { id: details.price, product: details.product } : record(line.plan, `lines.data.${i}.price`);
}
