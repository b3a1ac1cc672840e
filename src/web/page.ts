// What every HTML page response shares: security headers, the site name, and a mark telling the
// error handler that a request belongs to a page (so its errors render as HTML, not JSON).
import type { Deps } from "../deps";
import { t } from "elysia";
import { AppError } from "../errors";

/** Sent with every HTML page (and HTML error page). */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
  "x-content-type-options": "nosniff",
  // The create-password token is in the URL: never send it on to another site. (Not no-referrer:
  // with it, browsers send `Origin: null` on form posts and the Origin check would refuse them.)
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
};

export const HTML_CONTENT_TYPE = "text/html; charset=utf-8";

/** Served over https (PUBLIC_URL): cookies get `Secure` and the `__Host-` prefix. */
export const isHttps = (deps: Pick<Deps, "config">) => deps.config.publicUrl.startsWith("https://");

/** The name people know this server by: BRAND_NAME, else PUBLIC_URL's host ("auth.example.com"). */
export function siteName(deps: Pick<Deps, "config">): string {
  return deps.config.brandName ?? new URL(deps.config.publicUrl).host;
}

const pageRequests = new WeakSet<Request>();

export function markPageRequest(request: Request): void {
  pageRequests.add(request);
}

export function isPageRequest(request: Request): boolean {
  return pageRequests.has(request);
}

/** A complete HTML page response with the page headers. */
export function htmlResponse(status: number, html: string, headers: Record<string, string> = {}): Response {
  return new Response(`<!doctype html>${html}`, {
    status,
    headers: { ...PAGE_HEADERS, "content-type": HTML_CONTENT_TYPE, ...headers },
  });
}

export type ResponseSet = { status?: number | string; headers: Record<string, string | number> };

/**
 * An expected error to show on the form: sets its status (and Retry-After) on the response and
 * returns it. Anything else — not one of `codes` (any 4xx when none are given), or a 5xx — is rethrown.
 */
export function formError(error: unknown, set: ResponseSet, codes?: string[]): AppError {
  if (!(error instanceof AppError) || error.status >= 500 || (codes && !codes.includes(error.code))) throw error;
  set.status = error.status;
  const retryAfter = error.headers["Retry-After"];
  if (retryAfter) set.headers["retry-after"] = retryAfter;
  return error;
}

/**
 * A form field: optional, so a missing one is answered beside the field on the page rather than
 * with a 400 page; bounded, so nobody posts megabytes into it.
 */
export const formText = (maxLength: number) => t.Optional(t.String({ maxLength }));
