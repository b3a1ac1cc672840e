// Store signature checks: HMAC-SHA256 with the endpoint's signing secret, compared in constant time.
// Each provider's file says which header and which signed string; an endpoint checks its own only.
import { unauthorized } from "../errors";
import { constantTimeEqual, hmacSha256 } from "../lib/crypto";

/** How old a signed timestamp may be (Stripe's own default) … */
export const SIGNATURE_TOLERANCE_S = 300;
/** … and how far ahead of our clock (a sender's clock may run a little fast, never minutes). */
export const FUTURE_SKEW_S = 30;

export const invalidSignature = (why: string) => unauthorized("invalid_signature", `Invalid webhook signature: ${why}`);

export function requireHeader(headers: Headers, name: string, provider: string): string {
  const value = headers.get(name);
  if (value === null || value.trim() === "") {
    throw invalidSignature(`this ${provider} endpoint needs a ${name} header (it checks no other)`);
  }
  return value;
}

/** Splits `k=v<sep>k=v…` into pairs (values may repeat, as Stripe's `v1` does while a secret is rolled). */
export function headerPairs(header: string, separator: string): [string, string][] {
  return header
    .split(separator)
    .map((part) => part.trim())
    .map((part) => {
      const at = part.indexOf("=");
      return at < 0 ? ["", ""] : [part.slice(0, at), part.slice(at + 1)];
    });
}

/** A timestamped scheme: `timestamp` within tolerance of `nowMs`, and any candidate equal to the HMAC of `signed`. */
export function verifyTimestamped(
  secret: string,
  timestamp: string | undefined,
  candidates: string[],
  signed: (timestamp: string) => string,
  nowMs: number,
): void {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || candidates.length === 0)
    throw invalidSignature("malformed header");
  const age = nowMs / 1000 - Number(timestamp);
  if (age > SIGNATURE_TOLERANCE_S) throw invalidSignature("timestamp too old");
  if (age < -FUTURE_SKEW_S) throw invalidSignature("timestamp in the future");
  verifyHex(secret, candidates, signed(timestamp));
}

/** Any of `candidates` (hex) equals HMAC-SHA256(secret, message). */
export function verifyHex(secret: string, candidates: string[], message: string): void {
  const expected = hmacSha256(secret, message).toString("hex");
  const matches = candidates.map((c) => constantTimeEqual(c.trim().toLowerCase(), expected));
  if (!matches.includes(true)) throw invalidSignature("signature mismatch");
}
