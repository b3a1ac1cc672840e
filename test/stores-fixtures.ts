// Store event fixtures (test/fixtures/stores/<provider>/): whole events as each store sends them,
// built from the stores' documented payloads. Signed here with the stores' own schemes.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Stripe from "stripe";
import type { StoreProvider } from "../db/schema";
import { hmacSha256 } from "../src/lib/crypto";
import type { TestContext } from "./helpers";

const DIR = join(import.meta.dir, "fixtures", "stores");

/** The raw body of a fixture, byte for byte. */
export function fixture(provider: StoreProvider, name: string): string {
  return readFileSync(join(DIR, provider, `${name}.${provider === "gumroad" ? "txt" : "json"}`), "utf8");
}

export const SECRETS = {
  stripe: "whsec_test_6f1d2a9c8b7e4f3a2d1c0b9a8e7f6d5c",
  lemonsqueezy: "ls-signing-secret-7f3a",
  paddle: "pdl_ntfset_01kf3test0000000000000000_secretsecretsecretsecret",
} as const;

const stripeClient = new Stripe("sk_test_unused");

/** Stripe-Signature made by the `stripe` package itself (under Bun it signs with WebCrypto: async only). */
export function stripeSignature(body: string, nowMs: number, secret: string = SECRETS.stripe): Promise<string> {
  return stripeClient.webhooks.generateTestHeaderStringAsync({
    payload: body,
    secret,
    timestamp: Math.floor(nowMs / 1000),
  });
}

/** Paddle-Signature: ts=<s>;h1=<hex HMAC of "ts:body"> (checked against Paddle's SDK in the tests). */
export function paddleSignature(body: string, nowMs: number, secret: string = SECRETS.paddle): string {
  const ts = Math.floor(nowMs / 1000);
  return `ts=${ts};h1=${hmacSha256(secret, `${ts}:${body}`).toString("hex")}`;
}

/** Lemon Squeezy's X-Signature: hex HMAC-SHA256 of the raw body. */
export function lemonSignature(body: string, secret: string = SECRETS.lemonsqueezy): string {
  return hmacSha256(secret, body).toString("hex");
}

/** The headers each store sends with a delivery (Gumroad: none beyond the content type). */
export async function storeHeaders(
  provider: StoreProvider,
  body: string,
  nowMs: number,
): Promise<Record<string, string>> {
  switch (provider) {
    case "stripe":
      return {
        "content-type": "application/json; charset=utf-8",
        "stripe-signature": await stripeSignature(body, nowMs),
      };
    case "lemonsqueezy":
      return {
        "content-type": "application/json",
        "x-event-name": JSON.parse(body).meta.event_name,
        "x-signature": lemonSignature(body),
      };
    case "paddle":
      return { "content-type": "application/json", "paddle-signature": paddleSignature(body, nowMs) };
    case "gumroad":
      return { "content-type": "application/x-www-form-urlencoded" };
  }
}

export { stripeClient };

/** Every fixture name of a store, e.g. "customer.subscription.created". */
export function fixtureNames(provider: StoreProvider): string[] {
  return readdirSync(join(DIR, provider)).map((file) => file.replace(/\.(json|txt)$/, ""));
}

/** Product map entries the fixtures need: each store's recurring "pro" item, and a one-time item. */
export const FIXTURE_MAP: Record<StoreProvider, { externalId: string; productId: string; termDays?: number | null }[]> =
  {
    stripe: [
      { externalId: "price_1SaPpzLkdIwHu7ixPro0Seat", productId: "pro" },
      { externalId: "price_1SaPr0LkdIwHu7ixLifetime", productId: "lifetime", termDays: null },
    ],
    lemonsqueezy: [{ externalId: "571203", productId: "pro" }],
    paddle: [
      { externalId: "pri_01kf2zx8sawmvhz1pv30seatpr", productId: "pro" },
      { externalId: "pro_01kf2zz8lifetimeproduct00", productId: "lifetime", termDays: 365 },
    ],
    gumroad: [{ externalId: "seatkey-pro", productId: "pro" }],
  };

export interface StoreHook {
  id: string;
  token: string;
  url: string;
  provider: StoreProvider;
}

/** A store endpoint created through the admin API, its product map filled the same way. */
export async function createStoreHook(t: TestContext, adminToken: string, provider: StoreProvider): Promise<StoreHook> {
  const auth = { authorization: `Bearer ${adminToken}` };
  const body = {
    name: `${provider} shop`,
    provider,
    ...(provider === "gumroad" ? {} : { signingSecret: SECRETS[provider] }),
  };
  const res = await t.request("POST", "/api/webhooks/create", { body, headers: auth });
  if (res.status !== 201) throw new Error(`store endpoint: ${res.status} ${await res.text()}`);
  const hook = (await res.json()) as StoreHook;
  for (const { externalId, ...entry } of FIXTURE_MAP[provider]) {
    const put = await t.request("PUT", `/api/webhooks/${hook.id}/products/${encodeURIComponent(externalId)}`, {
      body: entry,
      headers: auth,
    });
    if (put.status !== 200) throw new Error(`product map: ${put.status} ${await put.text()}`);
  }
  return hook;
}

/** POSTs a raw body to the endpoint's URL (token in it, as the store does), signed as the store signs. */
export async function sendRaw(t: TestContext, hook: StoreHook, body: string, headers?: Record<string, string>) {
  const path = new URL(hook.url).pathname + new URL(hook.url).search;
  const h = headers ?? (await storeHeaders(hook.provider, body, t.clock.now()));
  const res = await t.request("POST", path, {
    body,
    headers: { ...h, "content-length": String(Buffer.byteLength(body)) },
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      success?: boolean;
      response?: { eventId: string; status: string; note: string | null };
      code?: string;
      error?: string;
    },
  };
}

/** Delivers a fixture as the store would. */
export function sendFixture(t: TestContext, hook: StoreHook, name: string) {
  return sendRaw(t, hook, fixture(hook.provider, name));
}

// ---- A customer's whole life per store, as fixture names in delivery order. ----

export interface Life {
  purchase: string[];
  renewal: string[];
  fewerSeats?: string[];
  cancel: string[];
  end: string[];
  /** When the renewal, the seat change and the period end happen (ms). */
  renewedAt: number;
  periodEnd: number;
  /** A one-time (or separate) purchase and the refund that ends it. */
  refund: { purchase: string[]; refund: string[]; ref: string };
}

export const T0 = Date.UTC(2026, 0, 10, 10, 0, 0);
export const DAY = 86_400_000;
export const GRACE = 3 * DAY;

export const LIVES: Record<StoreProvider, Life> = {
  stripe: {
    purchase: [
      "customer.created",
      "checkout.session.completed.subscription",
      "customer.subscription.created",
      "invoice.paid.first",
    ],
    renewal: ["invoice.paid.renewal"],
    fewerSeats: ["customer.subscription.updated.quantity"],
    cancel: ["customer.subscription.updated.cancel"],
    end: ["customer.subscription.deleted"],
    renewedAt: (1768039206 + 31 * 86400) * 1000,
    periodEnd: (1768039206 + 59 * 86400) * 1000,
    refund: {
      purchase: ["checkout.session.completed.payment"],
      refund: ["charge.refunded"],
      ref: "pi_3SaPr0LkdIwHu7ix0OneTime",
    },
  },
  lemonsqueezy: {
    purchase: ["order_created", "subscription_created"],
    renewal: ["subscription_payment_success", "subscription_updated.renewal"],
    fewerSeats: ["subscription_updated.quantity"],
    cancel: ["subscription_cancelled"],
    end: ["subscription_expired"],
    renewedAt: T0 + 31 * DAY,
    periodEnd: T0 + 59 * DAY,
    refund: { purchase: [], refund: ["order_refunded"], ref: "4120731" },
  },
  paddle: {
    purchase: ["customer.created", "transaction.completed", "subscription.created", "subscription.activated"],
    renewal: ["transaction.completed.renewal", "subscription.updated.renewal"],
    fewerSeats: ["subscription.updated.quantity"],
    cancel: ["subscription.updated.cancel"],
    end: ["subscription.canceled"],
    renewedAt: T0 + 31 * DAY,
    periodEnd: T0 + 59 * DAY,
    refund: {
      purchase: ["transaction.completed.one-time"],
      refund: ["adjustment.created.refund-pending", "adjustment.updated.refund-approved"],
      ref: "txn_01kf3c0onetime000000000000",
    },
  },
  gumroad: {
    purchase: ["sale"],
    renewal: ["sale.renewal"],
    cancel: ["cancellation"],
    end: ["subscription_ended"],
    renewedAt: Date.parse("2026-02-10T10:00:00Z"),
    periodEnd: Date.parse("2026-03-10T10:00:00Z"),
    refund: { purchase: [], refund: ["refund"], ref: "Hg2Fe4Dc6Ba8Zy0Xw1Vu3Ts==" },
  },
};
