// Store event fixtures (test/fixtures/stores/<provider>/): whole events as each store sends them,
// built from the stores' documented payloads. Signed here with the stores' own schemes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Stripe from "stripe";
import type { StoreProvider } from "../db/schema";
import { hmacSha256 } from "../src/lib/crypto";

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
