// Login and refresh for apps: password check with rate limits, a session taking a seat,
// an access token plus a rotating refresh token.
import type { User } from "../../db/schema";
import { audit } from "../audit/audit";
import type { Deps } from "../deps";
import { forbidden, unauthorized } from "../errors";
import { sha256Hex } from "../lib/crypto";
import { rateLimitBucket } from "../lib/ip";
import type { ClientInfo } from "../lib/client-info";
import { verifyPasswordLimited } from "../passwords/verify";
import { checkRateLimit, countRateLimit } from "../rate-limits/service";
import { refreshSession } from "../sessions/refresh";
import { createSession, type IssuedSession } from "../sessions/service";
import { findUserByEmail, normalizeEmail, setPasswordHashIn } from "../users/service";
import { signAccessToken } from "./access-token";
import type { AuthResult } from "./model";

const INVALID_CREDENTIALS = "Email or password is incorrect";

function limitKeys(email: string, ip: string | null) {
  const account = sha256Hex(normalizeEmail(email));
  const address = rateLimitBucket(ip);
  return {
    accountIp: `login:acct-ip:${account}:${address}`,
    account: `login:acct:${account}`,
    ip: `login:ip:${address}`,
  };
}

/** Checks email + password; returns the user or throws the one generic 401 (or 429 / 403). */
export async function verifyCredentials(
  deps: Deps,
  email: string,
  password: string,
  client: ClientInfo,
): Promise<User> {
  const keys = limitKeys(email, client.ip);
  const rules = deps.config.rateLimits;
  const limits = [
    { key: keys.accountIp, rule: rules.loginPerAccountIp },
    { key: keys.account, rule: rules.loginPerAccount },
    { key: keys.ip, rule: rules.loginPerIp },
  ];
  const user = await findUserByEmail(deps, email);
  const hash = user?.passwordHash ?? null;
  const ok = await verifyPasswordLimited(deps, { hash, password, limits, clearKey: keys.accountIp });
  if (!user || !hash || !ok) {
    await audit(deps, {
      event: "login.failed",
      userId: user?.id,
      ip: client.ip,
      detail: { reason: user ? "password" : "unknown_email" },
    });
    throw unauthorized("invalid_credentials", INVALID_CREDENTIALS);
  }
  if (user.status !== "ACTIVE") throw forbidden("account_inactive", "This account is inactive; contact the seller");
  if (deps.hasher.needsRehash(hash)) {
    const rehashed = await deps.hasher.hash(password);
    await deps.db.write((tx) => setPasswordHashIn(tx, deps, user.id, rehashed));
  }
  return user;
}

export async function login(
  deps: Deps,
  input: { email: string; password: string; productId?: string | undefined; limited?: boolean },
  client: ClientInfo,
): Promise<AuthResult> {
  const user = await verifyCredentials(deps, input.email, input.password, client);
  const productId = input.productId ?? null;
  const issued = await createSession(deps, { user, kind: "app", productId, client, limited: input.limited });
  return authResult(deps, issued);
}

export async function refresh(deps: Deps, token: string, client: ClientInfo): Promise<AuthResult> {
  const limit = { key: `refresh:ip:${rateLimitBucket(client.ip)}`, rule: deps.config.rateLimits.refreshPerIp };
  await checkRateLimit(deps, limit);
  let outcome: Awaited<ReturnType<typeof refreshSession>>;
  try {
    outcome = await refreshSession(deps, token, client);
  } catch (error) {
    await countRateLimit(deps, limit); // only failures count: the hot path stays one write
    throw error;
  }
  if (outcome.kind === "reuse") {
    throw unauthorized("token_reused", "This refresh token was already used; the session was revoked. Log in again.");
  }
  return authResult(deps, outcome.issued);
}

async function authResult(deps: Deps, issued: IssuedSession): Promise<AuthResult> {
  const { session, user, seat } = issued;
  const accessToken = await signAccessToken(deps, {
    user,
    sessionId: session.id,
    limited: seat.limited,
    limitedReason: seat.limitedReason,
    product: seat.product,
    licenses: seat.licenses,
  });
  return {
    accessToken,
    refreshToken: issued.token,
    expiresIn: deps.config.accessTokenTtl,
    limited: seat.limited,
    limitedReason: seat.limitedReason,
    product: seat.product,
    seatFreeAt: seat.seatFreeAt,
    remainingLicenses: seat.remaining,
    sessionId: session.id,
  };
}
