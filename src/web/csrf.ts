// CSRF protection for HTML forms: a signed double-submit cookie plus an Origin check.
// The cookie holds a random nonce (HttpOnly, __Host- prefixed on https so a sibling subdomain
// cannot plant one); the form carries HMAC(SECRET_KEY, nonce). A forged cross-site post has
// neither the cookie's nonce nor a way to compute its MAC.
import type { Cookie } from "elysia";
import type { Deps } from "../deps";
import { forbidden } from "../errors";
import { constantTimeEqual, hmacSha256, randomToken } from "../lib/crypto";
import { isHttps } from "./page";

const CSRF_FIELD = "_csrf";
const NONCE = /^[A-Za-z0-9_-]{43}$/;

type CsrfDeps = Pick<Deps, "config" | "keys">;
export type CookieJar = Record<string, Cookie<unknown>>;

const csrfCookieName = (deps: Pick<Deps, "config">) => (isHttps(deps) ? "__Host-csrf" : "csrf");

function mac(deps: CsrfDeps, nonce: string): string {
  return hmacSha256(deps.keys.secretKey, `csrf:${nonce}`).toString("base64url");
}

function nonceIn(deps: CsrfDeps, cookie: CookieJar): string | undefined {
  const value = cookie[csrfCookieName(deps)]?.value;
  return typeof value === "string" && NONCE.test(value) ? value : undefined;
}

/** The token to put in a form's hidden `_csrf` field; sets the cookie when there is none yet. */
export function csrfToken(deps: CsrfDeps, cookie: CookieJar): string {
  let nonce = nonceIn(deps, cookie);
  if (!nonce) {
    nonce = randomToken(32);
    cookie[csrfCookieName(deps)]?.set({
      value: nonce,
      httpOnly: true,
      sameSite: "lax",
      path: "/",
      secure: isHttps(deps),
    });
  }
  return mac(deps, nonce);
}

/** True when `submitted` is the MAC of this browser's cookie nonce (constant-time). */
function csrfValid(deps: CsrfDeps, cookie: CookieJar, submitted: unknown): boolean {
  const nonce = nonceIn(deps, cookie);
  return !!nonce && typeof submitted === "string" && constantTimeEqual(submitted, mac(deps, nonce));
}

/**
 * True for a request a browser sent from another site: an Origin header, when present, must be
 * PUBLIC_URL's origin (or one of `allowed`), and Sec-Fetch-Site: cross-site needs an allowed Origin.
 * Clients that send neither header (apps, curl) are not browsers acting for another site.
 */
export function isCrossSite(deps: Pick<Deps, "config">, request: Request, allowed: string[] = []): boolean {
  const origin = request.headers.get("origin");
  if (origin !== null && allowed.includes(origin)) return false;
  const cross = origin !== null && origin !== new URL(deps.config.publicUrl).origin;
  return cross || request.headers.get("sec-fetch-site") === "cross-site";
}

function assertSameOrigin(deps: Pick<Deps, "config">, request: Request): void {
  if (isCrossSite(deps, request)) {
    throw forbidden("cross_origin", "This form was sent from another site, so it was refused. Nothing was changed.");
  }
}

/** Origin + token check for a form post; throws 403 and changes nothing when either fails. */
export function assertCsrf(deps: CsrfDeps, request: Request, cookie: CookieJar, body: unknown): void {
  assertSameOrigin(deps, request);
  const submitted = body && typeof body === "object" ? (body as Record<string, unknown>)[CSRF_FIELD] : undefined;
  if (!csrfValid(deps, cookie, submitted)) {
    throw forbidden(
      "csrf_failed",
      "This form has expired or was not sent from this site. Nothing was changed: reload the page and try again.",
    );
  }
}
