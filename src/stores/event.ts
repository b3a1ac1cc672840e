// A store's native event, normalized: what it means for a customer and a license, nothing more.
// Each provider file turns its own events into one of these (pure functions, no database).
import type { StoreProvider } from "../../db/schema";
import { badRequest } from "../errors";

export interface StoreCustomer {
  /** The store's customer id, when the store has one. */
  id: string | null;
  email: string | null;
  name: string | null;
}

/** A purchased line: the ids the product map may know it by (price first), and how many. */
export interface LineItem {
  keys: string[];
  quantity: number;
}

export type LicenseReason = "purchase" | "renewal" | "quantity_change" | "cancel_at_period_end" | "update";
export type EndReason = "refund" | "chargeback" | "expiry" | "pause" | "cancel";

export type StoreChange =
  /** The store told us who a customer is (needed before their subscriptions can be applied). */
  | { kind: "customer"; customer: StoreCustomer }
  /** The state of a purchase or subscription: create or update the license keyed by `ref`. */
  | {
      kind: "license";
      reason: LicenseReason;
      ref: string;
      customer: StoreCustomer;
      /** What was bought; null keeps the license's product and seats; "fetch" = ask the store (Stripe checkout). */
      items: LineItem[] | null | "fetch";
      /** End of the paid period (subscriptions); null for a one-time purchase (term from the product map). */
      paidUntil: number | null;
      /** Set when the subscription is cancelled at period end (or at a set date): the license ends then. */
      endsAt: number | null;
      /** Only create the license, never change one (an order that a subscription event describes better). */
      createOnly?: boolean;
      /** Other ids of the same purchase (invoice, payment, order) that refunds may name. */
      aliases: string[];
    }
  /** The license ends at `at` (refund, chargeback and expiry: at once; a cancellation: at its date). */
  | { kind: "end"; reason: EndReason; refs: string[]; at: number }
  | { kind: "ignored"; reason: string };

export interface StoreEvent {
  provider: StoreProvider;
  /** The store's event id, or a key derived from the event and its body for stores that send none. */
  key: string;
  /** The native event type, e.g. "customer.subscription.updated". */
  type: string;
  /** When the store says it happened (Unix ms): events older than a license's state never roll it back. */
  occurredAt: number;
  change: StoreChange;
}

export const ignored = (reason: string): StoreChange => ({ kind: "ignored", reason });

// ---- Reading untrusted JSON: every miss is a 400 naming the field. ----

export type Json = Record<string, unknown>;

const invalid = (field: string, what: string) =>
  badRequest("invalid_event", `Invalid store event: ${field} ${what}`, field);

export function record(value: unknown, field: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(field, "must be an object");
  return value as Json;
}

export function optRecord(value: unknown, field: string): Json | null {
  return value === null || value === undefined ? null : record(value, field);
}

export function list(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(field, "must be a list");
  return value;
}

/** A string or number id → string (Lemon Squeezy sends numeric ids). */
export function text(value: unknown, field: string): string {
  const out = optText(value, field);
  if (out === null) throw invalid(field, "is missing");
  return out;
}

export function optText(value: unknown, field: string): string | null {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string" || value.length > 1000) throw invalid(field, "must be a string");
  return value;
}

export function count(value: unknown, field: string): number {
  const n = typeof value === "string" && /^\d{1,9}$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw invalid(field, "must be a whole number");
  return n;
}

/** Unix seconds (Stripe) → ms. */
export function seconds(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw invalid(field, "must be Unix seconds");
  return value * 1000;
}

export function optSeconds(value: unknown, field: string): number | null {
  return value === null || value === undefined ? null : seconds(value, field);
}

/** An ISO 8601 date-time (Lemon Squeezy, Paddle, Gumroad) → ms. */
export function isoTime(value: unknown, field: string): number {
  const ms = typeof value === "string" && value.length <= 64 ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw invalid(field, "must be an ISO 8601 date-time");
  return ms;
}

export function optIsoTime(value: unknown, field: string): number | null {
  return value === null || value === undefined || value === "" ? null : isoTime(value, field);
}

/** JSON body → object; 400 otherwise. */
export function parseJsonBody(rawBody: string): Json {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw badRequest("invalid_body", "Request body must be the store's JSON event");
  }
  return record(body, "body");
}

/** Items with the same map keys added up (a proration line and a plan line for one price, etc.). */
export function mergeItems(items: LineItem[]): LineItem[] {
  const byKey = new Map<string, LineItem>();
  for (const item of items) {
    const key = item.keys.join("|");
    const seen = byKey.get(key);
    byKey.set(key, seen ? { keys: item.keys, quantity: seen.quantity + item.quantity } : item);
  }
  return [...byKey.values()];
}
