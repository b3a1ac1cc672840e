// Gumroad: form-encoded pings (https://gumroad.com/ping, resource subscriptions: sale, refund,
// dispute, dispute_won, cancellation, subscription_updated, subscription_ended,
// subscription_restarted). Gumroad signs nothing: the endpoint's secret URL token is the only
// proof a ping is Gumroad's. There is no event id either: the key is derived from the resource,
// the sale or subscription id, its time and the body's hash.
import { badRequest } from "../../errors";
import { sha256Hex } from "../../lib/crypto";
import { count, ignored, isoTime, type LineItem, optIsoTime, type StoreChange, type StoreCustomer } from "../event";
import type { StoreAdapter } from "./types";

/** Months per Gumroad membership recurrence. */
const RECURRENCE_MONTHS: Record<string, number> = {
  monthly: 1,
  quarterly: 3,
  biannually: 6,
  yearly: 12,
  every_two_years: 24,
};

type Ping = URLSearchParams;

export const gumroad: StoreAdapter = {
  provider: "gumroad",
  signed: false,
  verify() {},
  parse(rawBody) {
    const ping = new URLSearchParams(rawBody);
    const type = ping.get("resource_name") ?? "sale";
    const subject = ping.get("sale_id") ?? ping.get("subscription_id");
    if (!subject)
      throw badRequest(
        "invalid_event",
        "Invalid store event: a Gumroad ping names a sale_id or subscription_id",
        "sale_id",
      );
    const when =
      ping.get("sale_timestamp") ??
      firstOf(ping, ["user_requested_cancellation_at", "ended_at", "restarted_at", "created_at"]);
    const occurredAt = isoTime(when, "sale_timestamp");
    const key = `${type}:${subject}:${occurredAt}:${sha256Hex(rawBody)}`;
    return { provider: "gumroad", key, type, occurredAt, change: change(type, ping, occurredAt) };
  },
};

function firstOf(ping: Ping, names: string[]): string | null {
  for (const name of names) {
    const value = ping.get(name);
    if (value) return value;
  }
  return null;
}

const refsOf = (ping: Ping) => [ping.get("subscription_id"), ping.get("sale_id")].filter((r): r is string => !!r);

function change(type: string, ping: Ping, occurredAt: number): StoreChange {
  switch (type) {
    case "sale":
      if (ping.get("refunded") === "true") return { kind: "end", reason: "refund", refs: refsOf(ping), at: occurredAt };
      if (ping.get("disputed") === "true")
        return { kind: "end", reason: "chargeback", refs: refsOf(ping), at: occurredAt };
      return sale(ping, occurredAt);
    case "refund":
      return { kind: "end", reason: "refund", refs: refsOf(ping), at: occurredAt };
    case "dispute":
      return { kind: "end", reason: "chargeback", refs: refsOf(ping), at: occurredAt };
    case "cancellation":
      // cancelled_at: when the paid period ends and the membership stops.
      return {
        kind: "end",
        reason: "cancel",
        refs: refsOf(ping),
        at: optIsoTime(ping.get("cancelled_at"), "cancelled_at") ?? occurredAt,
      };
    case "subscription_ended":
      return {
        kind: "end",
        reason: "expiry",
        refs: refsOf(ping),
        at: optIsoTime(ping.get("ended_at"), "ended_at") ?? occurredAt,
      };
    case "subscription_restarted":
      return restarted(ping, occurredAt);
    default:
      return ignored(`seatkey does not act on Gumroad's ${type} ping`);
  }
}

function customerOf(ping: Ping): StoreCustomer {
  return {
    id: ping.get("purchaser_id") || ping.get("user_id") || null,
    email: ping.get("email") || ping.get("user_email") || null,
    name: ping.get("full_name") || null,
  };
}

/** A membership's paid period: one recurrence from `from`; null for a one-time product. */
function periodEnd(ping: Ping, from: number): number | null {
  const months = RECURRENCE_MONTHS[ping.get("recurrence") ?? ""];
  if (!ping.get("subscription_id") || months === undefined) return null;
  const end = new Date(from);
  end.setUTCMonth(end.getUTCMonth() + months);
  return end.getTime();
}

function sale(ping: Ping, occurredAt: number): StoreChange {
  const keys = [ping.get("product_id"), ping.get("product_permalink"), ping.get("short_product_id")];
  const item: LineItem = {
    keys: keys.filter((k): k is string => !!k),
    quantity: count(ping.get("quantity") ?? "1", "quantity"),
  };
  const sale = ping.get("sale_id") ?? "";
  return {
    kind: "license",
    reason: ping.get("is_recurring_charge") === "true" ? "renewal" : "purchase",
    ref: ping.get("subscription_id") || sale,
    customer: customerOf(ping),
    items: [item],
    paidUntil: periodEnd(ping, occurredAt),
    endsAt: null,
    aliases: ping.get("subscription_id") && sale ? [sale] : [],
  };
}

function restarted(ping: Ping, occurredAt: number): StoreChange {
  const ref = ping.get("subscription_id");
  if (!ref) return ignored("restart without a subscription_id");
  return {
    kind: "license",
    reason: "update",
    ref,
    customer: customerOf(ping),
    items: null,
    paidUntil: periodEnd(ping, occurredAt),
    endsAt: null,
    aliases: [],
  };
}
