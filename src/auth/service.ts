// Login and refresh for apps: password check with rate limits, a session taking a seat,
// an access token plus a rotating refresh token.
import { eq } from "drizzle-orm";
import { availableParallelism } from "node:os";
import { users, type User } from "../../db/schema";
import { audit } from "../audit/audit";
import type { Deps } from "../deps";
import { forbidden, unauthorized } from "../errors";
import { sha256Hex } from "../lib/crypto";
import { checkRateLimit, clearRateLimit, countRateLimit } from "../lib/rate-limit";
import { queueMail } from "../mail/outbox";
import { createSession, refreshSession, type IssuedSession } from "../sessions/service";
import { findUserByEmail } from "../users/service";
import type { ClientInfo } from "../web/client";
import { signAccessToken } from "./access-token";

export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  limited: boolean;
  limitedReason: string | null;
  /** Free seats left in the login's scope after this session took (or did not take) one. */
  remainingLicenses: number;
  sessionId: string;
}

const INVALID_CREDENTIALS = "Email or password is incorrect";

// A real Argon2id hash of a random string: unknown emails and unset passwords cost one verify too,
// so the answer takes as long as for a wrong password.
let dummyHash: Promise<string> | undefined;
function timingDummy(deps: Deps): Promise<string> {
  dummyHash ??= deps.hasher.hash(crypto.randomUUID());
  return dummyHash;
}

/**
 * At most a few Argon2id computations at once in this process: each runs on a thread of its own
 * and takes a whole core, so a login flood with one hash per request would leave the event loop
 * (refresh, me) a sliver of CPU. One core is kept free, shared out between WORKERS processes.
 */
class HashSlots {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

const slotsByHasher = new WeakMap<Deps["hasher"], HashSlots>();
function hashSlots(deps: Deps): HashSlots {
  let slots = slotsByHasher.get(deps.hasher);
  if (!slots) {
    const spare = Math.max(1, availableParallelism() - 1);
    slots = new HashSlots(Math.max(1, Math.floor(spare / deps.config.workers)));
    slotsByHasher.set(deps.hasher, slots);
  }
  return slots;
}

function limitKeys(email: string, ip: string | null) {
  const account = sha256Hex(email.trim().toLowerCase());
  return {
    accountIp: `login:acct-ip:${account}:${ip ?? "-"}`,
    account: `login:acct:${account}`,
    ip: `login:ip:${ip ?? "-"}`,
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
  await checkRateLimit(deps, keys.accountIp, rules.loginPerAccountIp);
  await checkRateLimit(deps, keys.account, rules.loginPerAccount);
  await checkRateLimit(deps, keys.ip, rules.loginPerIp);

  const user = await findUserByEmail(deps, email);
  const hash = user?.passwordHash ?? (await timingDummy(deps));
  const ok = (await hashSlots(deps).run(() => deps.hasher.verify(hash, password))) && user?.passwordHash != null;
  if (!user || !ok) {
    await Promise.all([
      countRateLimit(deps, keys.accountIp, rules.loginPerAccountIp),
      countRateLimit(deps, keys.account, rules.loginPerAccount),
      countRateLimit(deps, keys.ip, rules.loginPerIp),
    ]);
    await audit(deps, {
      event: "login.failed",
      userId: user?.id,
      ip: client.ip,
      detail: { reason: user ? "password" : "unknown_email" },
    });
    throw unauthorized("invalid_credentials", INVALID_CREDENTIALS);
  }
  if (user.status !== "ACTIVE") throw forbidden("account_inactive", "This account is inactive; contact the seller");
  await clearRateLimit(deps, keys.accountIp);
  if (deps.hasher.needsRehash(user.passwordHash as string)) {
    const rehashed = await hashSlots(deps).run(() => deps.hasher.hash(password));
    await deps.db.write((tx) => tx.update(users).set({ passwordHash: rehashed }).where(eq(users.id, user.id)));
  }
  return user;
}

export async function login(
  deps: Deps,
  input: { email: string; password: string; productId?: string | undefined },
  client: ClientInfo,
): Promise<AuthResult> {
  const user = await verifyCredentials(deps, input.email, input.password, client);
  const issued = await createSession(deps, { user, kind: "app", productId: input.productId ?? null, client });
  return authResult(deps, issued);
}

export async function refresh(deps: Deps, token: string, client: ClientInfo): Promise<AuthResult> {
  const rule = deps.config.rateLimits.refreshPerIp;
  const key = `refresh:ip:${client.ip ?? "-"}`;
  await checkRateLimit(deps, key, rule);
  let outcome: Awaited<ReturnType<typeof refreshSession>>;
  try {
    outcome = await refreshSession(deps, token, client);
  } catch (error) {
    await countRateLimit(deps, key, rule); // only failures count: the hot path stays one write
    throw error;
  }
  if (outcome.kind === "reuse") {
    await queueMail(deps, {
      to: outcome.user.email,
      kind: "reuse-detected",
      data: {
        name: outcome.user.name,
        device: outcome.session.userAgent ?? "unknown device",
        ip: client.ip ?? "unknown address",
        time: new Date(deps.clock.now()).toISOString(),
      },
    });
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
    licenses: seat.licenses,
  });
  return {
    accessToken,
    refreshToken: issued.token,
    expiresIn: deps.config.accessTokenTtl,
    limited: seat.limited,
    limitedReason: seat.limitedReason,
    remainingLicenses: Math.max(0, seat.total - seat.used),
    sessionId: session.id,
  };
}
