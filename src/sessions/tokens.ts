// Session secrets. A refresh token (and the account-page cookie) is "<sessionId>.<secret>":
// the id finds the row by primary key, the 256-bit secret is compared by its SHA-256 only.
//
// Rotation derives the successor from the presented secret and a fresh random nonce:
//   successor = HMAC-SHA256(key = secret, message = nonce)
// Only the successor's hash and the nonce are stored, so a retry with the just-replaced token
// inside the grace window gets the very same successor back, while a copy of the database alone
// (without a token) cannot produce any token.
import type { Session } from "../../db/schema";
import type { Deps } from "../deps";
import { constantTimeEqual, hmacSha256, randomToken, sha256Hex } from "../lib/crypto";

const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const ID_SHAPE = /^[A-Za-z0-9_-]{22}$/;
/** How many older secrets of a session are remembered for reuse detection (hash prefixes). */
export const RETIRED_HASHES_KEPT = 24;
const RETIRED_PREFIX_LENGTH = 32; // hex chars = 128 bits

export interface ParsedToken {
  sessionId: string;
  secret: string;
  hash: string;
}

export function newSecret(): { secret: string; hash: string } {
  const secret = randomToken(32);
  return { secret, hash: sha256Hex(secret) };
}

export function formatToken(sessionId: string, secret: string): string {
  return `${sessionId}.${secret}`;
}

/** undefined for anything that is not shaped like one of our tokens (cheap to reject). */
export function parseToken(token: string | undefined | null): ParsedToken | undefined {
  if (!token || token.length !== 66) return undefined;
  const [sessionId, secret] = token.split(".");
  if (!sessionId || !secret || !ID_SHAPE.test(sessionId) || !SECRET_SHAPE.test(secret)) return undefined;
  return { sessionId, secret, hash: sha256Hex(secret) };
}

export function deriveSuccessor(secret: string, nonce: string): { secret: string; hash: string } {
  const successor = hmacSha256(secret, nonce).toString("base64url");
  return { secret: successor, hash: sha256Hex(successor) };
}

/** The retired list after `replacedHash` is retired: newest first, capped. */
export function retire(retired: string, replacedHash: string | null): string {
  if (!replacedHash) return retired;
  const list = [replacedHash.slice(0, RETIRED_PREFIX_LENGTH), ...retired.split(" ").filter(Boolean)];
  return list.slice(0, RETIRED_HASHES_KEPT).join(" ");
}

export function isRetired(retired: string, hash: string): boolean {
  const prefix = hash.slice(0, RETIRED_PREFIX_LENGTH);
  return retired.split(" ").includes(prefix);
}

/** `iat` and `exp` (Unix seconds) of an access token issued at `now` (ms): the session records `exp`. */
export function accessTokenTimes(now: number, ttlSeconds: number): { iat: number; exp: number } {
  const iat = Math.floor(now / 1000);
  return { iat, exp: iat + ttlSeconds };
}

export const matches = (hash: string, stored: string | null) => stored !== null && constantTimeEqual(hash, stored);

export type TokenState = Pick<Session, "tokenHash" | "previousTokenHash" | "rotatedAt" | "retiredTokenHashes">;

/**
 * Which of a session's secrets `hash` is: the current one, the one just replaced and still inside
 * the grace window, an older one (replaced before the window, or retired), or none of them.
 */
export function whichToken(
  deps: Pick<Deps, "config">,
  row: TokenState,
  hash: string,
  now: number,
): "current" | "grace" | "old" | "none" {
  if (matches(hash, row.tokenHash)) return "current";
  if (matches(hash, row.previousTokenHash)) {
    const inGrace = row.rotatedAt !== null && now - row.rotatedAt <= deps.config.refreshGrace * 1000;
    return inGrace ? "grace" : "old";
  }
  return isRetired(row.retiredTokenHashes, hash) ? "old" : "none";
}
