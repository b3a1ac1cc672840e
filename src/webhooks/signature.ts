// Signed seatkey endpoints: one scheme, `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=…]` — HMAC-SHA256
// of `<t>.<raw body>` with the endpoint's signing secret, at most 5 minutes old (the same scheme as
// Stripe's, checked by the same code). A header of any other scheme is refused, not tried.
import type { WebhookToken } from "../../db/schema";
import type { Deps } from "../deps";
import { unseal } from "../lib/crypto";
import { verifyStripeScheme } from "../stores/providers/stripe";

/** Throws 401 invalid_signature unless the request is signed with the webhook's secret (if it has one). */
export function verifyWebhookSignature(deps: Deps, webhook: WebhookToken, headers: Headers, rawBody: string): void {
  if (webhook.signingSecretSealed === null) return;
  const secret = unseal(deps.keys.secretKey, webhook.signingSecretSealed);
  verifyStripeScheme(secret, headers, rawBody, deps.clock.now(), "signed seatkey");
}
