// The workloads, as autocannon request specs against a running seatkey, and the few real HTTP
// calls that prepare them (access tokens, a webhook token, an account-page cookie).
import type autocannon from "autocannon";
import { refreshChain, type LoadSpec } from "./load";
import { benchEmail, BENCH_PRODUCT } from "./seed";

export const BENCH_PASSWORD = "correct horse battery staple, benchmark";
const JSON_HEADERS = { "content-type": "application/json" };

export const jwks = (url: string): LoadSpec => ({ url, path: "/.well-known/jwks.json" });

/** Every connection rotates its own sessions, each request presenting the token just returned. */
export const refresh = (url: string, pools: string[][]): LoadSpec => ({
  url,
  path: "/api/auth/refresh",
  perConnection: (i) => refreshChain(pools[i % pools.length] ?? [], "/api/auth/refresh"),
});

export const me = (url: string, accessTokens: string[]): LoadSpec => ({
  url,
  path: "/api/auth/me",
  perConnection: (i) => [
    { method: "GET", headers: { authorization: `Bearer ${accessTokens[i % accessTokens.length]}` } },
  ],
});

/** A random seeded user each time; every success creates a session (and takes a seat if free). */
export const login = (url: string, users: number): LoadSpec => ({
  url,
  path: "/api/auth/login",
  perConnection: () => [
    {
      method: "POST",
      headers: JSON_HEADERS,
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({ email: benchEmail(Math.floor(Math.random() * users)), password: BENCH_PASSWORD }),
      }),
    },
  ],
});

/** grant-license for a new customer each time: creates the user, the license, queues the mail. */
export const grantLicense = (url: string, webhookToken: string, runId: string): LoadSpec => {
  let n = 0;
  const validUntil = Date.now() + 365 * 86_400_000;
  return {
    url,
    path: "/api/webhooks",
    perConnection: (i) => [
      {
        method: "POST",
        headers: { ...JSON_HEADERS, authorization: `Bearer ${webhookToken}` },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({
            action: "grant-license",
            email: `buyer-${runId}-${i}-${n++}@example.com`,
            name: "Bench Buyer",
            productId: BENCH_PRODUCT,
            seats: 2,
            validUntil,
          }),
        }),
      },
    ],
  };
};

export const account = (url: string, cookies: string[]): LoadSpec => ({
  url,
  path: "/account",
  perConnection: (i): autocannon.Request[] => [
    { method: "GET", headers: { cookie: cookies[i % cookies.length] ?? "" } },
  ],
});

interface AuthAnswer {
  accessToken: string;
  refreshToken: string;
}

/** One real refresh over HTTP: the access token a client would hold (session keeps rotating). */
export async function accessTokenFor(url: string, refreshToken: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/refresh`, {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify({ refreshToken }),
  });
  if (!res.ok) throw new Error(`refresh for an access token answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as AuthAnswer).accessToken;
}

export type Availability<T> = { ok: true; value: T } | { ok: false; reason: string };

/** A webhook token made the way an operator makes one: an ADMIN's POST /api/webhooks/create. */
export async function createWebhookToken(url: string, adminRefreshToken: string): Promise<Availability<string>> {
  const accessToken = await accessTokenFor(url, adminRefreshToken);
  const res = await fetch(`${url}/api/webhooks/create`, {
    method: "POST",
    headers: { ...JSON_HEADERS, authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ name: "bench" }),
  });
  if (res.status === 404) return { ok: false, reason: "not yet available (POST /api/webhooks/create is 404)" };
  if (res.status !== 201) return { ok: false, reason: `POST /api/webhooks/create answered ${res.status}` };
  return { ok: true, value: ((await res.json()) as { token: string }).token };
}

export interface IntrospectionClient {
  clientId: string;
  clientSecret: string;
}

/** POST /api/auth/introspect (RFC 7662) of a live access token, as a resource server asks it. */
export const introspect = (url: string, client: IntrospectionClient, accessTokens: string[]): LoadSpec => {
  const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64");
  return {
    url,
    path: "/api/auth/introspect",
    perConnection: (i) => [
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${basic}` },
        body: new URLSearchParams({ token: accessTokens[i % accessTokens.length] ?? "" }).toString(),
      },
    ],
  };
};

/** An introspection client made the way an operator makes one: an ADMIN's POST. */
export async function createIntrospectionClient(
  url: string,
  adminRefreshToken: string,
): Promise<Availability<IntrospectionClient>> {
  const accessToken = await accessTokenFor(url, adminRefreshToken);
  const res = await fetch(`${url}/api/admin/introspection-clients`, {
    method: "POST",
    headers: { ...JSON_HEADERS, authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ name: "bench" }),
  });
  if (res.status !== 201) return { ok: false, reason: `POST /api/admin/introspection-clients answered ${res.status}` };
  return { ok: true, value: (await res.json()) as IntrospectionClient };
}
