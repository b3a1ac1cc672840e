// The client's three API calls' transport: JSON over fetch, retried with back-off on network
// failures, 5xx and 429. A retry always sends the same body — for a refresh, the same token: if
// the first answer was lost after the server rotated, the server's grace window answers the retry
// with the same successor, so a retry is safe by design (and an older token is never sent).
import { SeatkeyError, type FetchLike, type LimitedReason, type Timers } from "./types.js";

/** What login and refresh answer. refreshToken is absent in cookie mode. */
export interface AuthAnswer {
  accessToken: string;
  refreshToken?: string;
  expiresIn: number;
  limited: boolean;
  limitedReason: LimitedReason | null;
  seatFreeAt?: number | null;
  product?: string | null;
  sessionId: string;
}

export interface Transport {
  baseUrl: string;
  fetch: FetchLike;
  timers: Timers;
  /** Send the HttpOnly cookie (cookie mode). */
  credentials: boolean;
}

const MAX_DELAY_MS = 15_000;

/** 0 (a lost answer is retried at once), then 0.5 s, 1 s, 2 s … up to 15 s, ±20 % jitter. */
export function backoffMs(attempt: number): number {
  if (attempt === 0) return 0;
  const base = Math.min(MAX_DELAY_MS, 500 * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

export function sleep(timers: Timers, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => timers.setTimeout(resolve, ms));
}

/** POSTs JSON; network failures, 5xx and 429 are retried up to `retries` times. */
export async function post(t: Transport, path: string, body: unknown, retries: number): Promise<Response> {
  const init: RequestInit = {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
    ...(t.credentials ? { credentials: "include" } : {}),
  };
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await t.fetch(`${t.baseUrl}${path}`, init);
    } catch {
      if (attempt >= retries) throw new SeatkeyError("network", "The seatkey server could not be reached");
      await sleep(t.timers, backoffMs(attempt));
      continue;
    }
    if ((res.status < 500 && res.status !== 429) || attempt >= retries) return res;
    await res.body?.cancel();
    await sleep(t.timers, Math.max(backoffMs(attempt), retryAfterSeconds(res) * 1000));
  }
}

function retryAfterSeconds(res: Response): number {
  const value = Number(res.headers.get("retry-after"));
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** seatkey's { error, code } answer as a SeatkeyError. */
export async function errorOf(res: Response): Promise<SeatkeyError> {
  let body: { error?: unknown; code?: unknown } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  const code = typeof body.code === "string" ? body.code : `http_${res.status}`;
  const message = typeof body.error === "string" ? body.error : `seatkey answered ${res.status}`;
  const retryAfter = retryAfterSeconds(res);
  return new SeatkeyError(code, message, res.status, retryAfter || undefined);
}

export async function answerOf(res: Response): Promise<AuthAnswer> {
  const answer = (await res.json()) as AuthAnswer;
  if (typeof answer.accessToken !== "string" || typeof answer.expiresIn !== "number") {
    throw new SeatkeyError("invalid_answer", "The server's answer is not a seatkey token answer", res.status);
  }
  return answer;
}

/** Claims of an access token read without verifying (the client only needs hints from them). */
export function peekClaims(accessToken: string): { iat?: number; product?: string | null } {
  try {
    const part = accessToken.split(".")[1] ?? "";
    const claims = JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    return {
      iat: typeof claims.iat === "number" ? claims.iat : undefined,
      product: typeof claims.product === "string" || claims.product === null ? claims.product : undefined,
    };
  } catch {
    return {};
  }
}
