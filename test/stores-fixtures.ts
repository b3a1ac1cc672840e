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
