// Optional online check (RFC 7662 token introspection): asks the seatkey server whether an access
// token is still active, so a revoked session is refused before its token expires. Answers are
// cached for a few seconds per token, which bounds the extra revocation window to that cache time.
import { VerifyError } from "./errors.js";

export interface IntrospectionOptions {
  /** The server's introspection endpoint, e.g. "https://auth.example.com/api/auth/introspect". */
  url: string | URL;
  /** The resource-server client credential an admin created on the seatkey server. */
  clientId: string;
  clientSecret: string;
  /** How long an answer is reused, in seconds (default 10; never beyond the token's expiry). */
  cacheSeconds?: number;
  fetch?: typeof fetch;
}

const MAX_CACHED = 10_000;

/** Returns a function answering whether a (signature-checked) token is active right now. */
export function createIntrospector(options: IntrospectionOptions, now: () => number) {
  const cache = new Map<string, { active: boolean; until: number }>();
  const ttlMs = (options.cacheSeconds ?? 10) * 1000;
  const doFetch = options.fetch ?? fetch;
  // RFC 7662 §2.1 uses the client authentication of RFC 6749 §2.3.1: HTTP Basic over the
  // form-urlencoded id and secret.
  const basic = btoa(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`);

  async function ask(token: string): Promise<{ active?: unknown; sid?: unknown }> {
    let res: Response;
    try {
      res = await doFetch(options.url, {
        method: "POST",
        headers: {
          authorization: `Basic ${basic}`,
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: new URLSearchParams({ token, token_type_hint: "access_token" }).toString(),
      });
    } catch {
      throw new VerifyError("introspection_failed", "The token introspection endpoint could not be reached");
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new VerifyError("introspection_failed", `Token introspection answered ${res.status}`);
    }
    return (await res.json()) as { active?: unknown; sid?: unknown };
  }

  return async (token: string, claims: { jti: string; sid: string; exp: number }): Promise<boolean> => {
    const cached = cache.get(claims.jti);
    if (cached && cached.until > now()) return cached.active;
    const answer = await ask(token);
    const active = answer.active === true && (answer.sid === undefined || answer.sid === claims.sid);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(claims.jti, { active, until: Math.min(now() + ttlMs, claims.exp * 1000) });
    return active;
  };
}

const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
