// Signed webhook payloads: HMAC-SHA256 over the raw request body with the webhook's signing secret.
//   Stripe:        Stripe-Signature: t=<unix s>,v1=<hex>[,v1=<hex>…]  over `${t}.${body}`, 5-minute tolerance
//   Lemon Squeezy: X-Signature: <hex>                                 over the body
// Every compare is constant-time; unsigned, tampered or stale requests are refused alike.
import type { WebhookToken } from "../../db/schema";
import type { Deps } from "../deps";
import { unauthorized } from "../errors";
import { constantTimeEqual, hmacSha256, unseal } from "../lib/crypto";

const SIGNATURE_TOLERANCE_S = 300;

const invalid = (why: string) => unauthorized("invalid_signature", `Invalid webhook signature: ${why}`);

/** Throws 401 invalid_signature unless the request is signed with the webhook's secret (if it has one). */
export function verifyWebhookSignature(deps: Deps, webhook: WebhookToken, headers: Headers, rawBody: string): void {
  if (webhook.signingSecretSealed === null) return;
  const secret = unseal(deps.keys.secretKey, webhook.signingSecretSealed);
  const stripe = headers.get("stripe-signature");
  if (stripe !== null) return verifyStripe(secret, stripe, rawBody, deps.clock.now());
  const lemon = headers.get("x-signature");
  if (lemon !== null) return verifyHex(secret, lemon.trim().toLowerCase(), rawBody);
  throw invalid("this webhook requires a Stripe-Signature or X-Signature header");
}

function verifyStripe(secret: string, header: string, rawBody: string, nowMs: number): void {
  const parts = header.split(",").map((p) => p.trim().split("="));
  const timestamp = parts.find(([k]) => k === "t")?.[1];
  const candidates = parts.filter(([k, v]) => k === "v1" && v).map(([, v]) => (v as string).toLowerCase());
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || candidates.length === 0) throw invalid("malformed header");
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_S) throw invalid("timestamp out of tolerance");
  const expected = hmacSha256(secret, `${timestamp}.${rawBody}`).toString("hex");
  // Any v1 may match (Stripe sends one per active secret while a secret is being rolled).
  const matches = candidates.map((c) => constantTimeEqual(c, expected));
  if (!matches.includes(true)) throw invalid("signature mismatch");
}

function verifyHex(secret: string, signature: string, rawBody: string): void {
  const expected = hmacSha256(secret, rawBody).toString("hex");
  if (!constantTimeEqual(signature, expected)) throw invalid("signature mismatch");
}
