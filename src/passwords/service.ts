// Setting passwords: by a one-time email link (set / reset), or for a signed-in user (account page).
// Hashing happens before the write transaction; the hash, the session revocation, the audit row
// and the "password changed" mail are then one atomic write.
import { TransactionRollbackError } from "drizzle-orm";
import type { Tx } from "../../db/client";
import type { User } from "../../db/schema";
import { auditIn } from "../audit/audit";
import { queueEventIn } from "../events/outbox";
import type { Deps } from "../deps";
import { badRequest, notFound, unauthorized } from "../errors";
import { newId, sha256Hex } from "../lib/crypto";
import { rateLimitBucket } from "../lib/ip";
import { hitRateLimit } from "../rate-limits/service";
import { queueMailIn } from "../mail/outbox";
import { revokeUserSessionsIn } from "../sessions/revoke";
import { assertEmail, findUserByEmail, findUserById, insertUser, setPasswordHashIn } from "../users/service";
import {
  consumeEmailTokenIn,
  createPasswordLink,
  issueEmailTokenIn,
  type DeadLink,
  peekEmailToken,
  voidEmailTokensIn,
} from "./email-tokens";
import { assertPasswordPolicy, confirmProblem } from "./policy";

export interface SetPasswordOptions {
  /** Which sessions end: all of them, none (the user chose to stay signed in elsewhere), or all but the caller's own. */
  revoke: "all" | "none" | { except: string };
  /** "user:<id>", "admin:<id>", … */
  actor: string;
  ip?: string | null;
  /** The "type it again" field, when the form has one: 400 `password_mismatch` (field confirm) if it differs. */
  confirm?: string;
}

export interface TokenPasswordInput {
  token: string;
  password: string;
  confirm: string;
}

const MAX_TOKEN_LENGTH = 128;

const invalidToken = () =>
  unauthorized("invalid_token", "This link is invalid, expired or already used. Ask for a new one at /reset-password.");

/** Writes a new hash and its consequences inside an open write transaction. */
async function writePasswordIn(tx: Tx, deps: Deps, user: User, hash: string, options: SetPasswordOptions) {
  const now = deps.clock.now();
  await setPasswordHashIn(tx, deps, user.id, hash);
  await voidEmailTokensIn(tx, deps, user.id);
  const { revoke } = options;
  const revoked =
    revoke === "none"
      ? 0
      : await revokeUserSessionsIn(tx, deps, user.id, {
          reason: "password_changed",
          actor: options.actor,
          ip: options.ip,
          exceptSessionId: revoke === "all" ? undefined : revoke.except,
        });
  await auditIn(tx, deps, {
    event: "password.changed",
    userId: user.id,
    actor: options.actor,
    ip: options.ip,
    detail: { revokedSessions: revoked },
  });
  await queueEventIn(tx, deps, "password.changed", { userId: user.id });
  await queueMailIn(tx, deps, {
    to: user.email,
    kind: "password-changed",
    data: { name: user.name, time: new Date(now).toISOString(), ip: options.ip },
  });
}

/** Checks the policy (against the user's email) and the confirmation, then hashes — outside any transaction. */
async function checkAndHash(deps: Deps, user: User, password: string, confirm: string | undefined): Promise<string> {
  assertPasswordPolicy(deps.config, { password, email: user.email });
  const mismatch = confirm === undefined ? undefined : confirmProblem(password, confirm);
  if (mismatch) throw badRequest("password_mismatch", mismatch, "confirm");
  return deps.hasher.hash(password); // the hasher normalises (NFKC), as it does on verify
}

/** Sets a signed-in user's password (the caller has checked who they are). */
export async function setUserPassword(deps: Deps, userId: string, password: string, options: SetPasswordOptions) {
  const user = await findUserById(deps, userId);
  if (!user) throw notFound("user_not_found", "No such user");
  const hash = await checkAndHash(deps, user, password, options.confirm);
  await deps.db.write((tx) => writePasswordIn(tx, deps, user, hash, options));
}

/** Sets the password with a one-time email token; every session of the user ends. */
export async function setPasswordWithToken(deps: Deps, input: TokenPasswordInput, ip: string | null): Promise<void> {
  await hitRateLimit(deps, {
    key: `create-password:ip:${rateLimitBucket(ip)}`,
    rule: deps.config.rateLimits.createPasswordPerIp,
  });
  const user = await linkUser(deps, input.token);
  if (!user) throw invalidToken();
  const hash = await checkAndHash(deps, user, input.password, input.confirm);
  await deps.db.write(async (tx) => {
    // Consuming is the real check: the peek above may have raced with another use of the link.
    const used = await consumeEmailTokenIn(tx, deps, input.token);
    if (used?.userId !== user.id) throw invalidToken();
    await writePasswordIn(tx, deps, user, hash, { revoke: "all", actor: `user:${user.id}`, ip });
  });
}

/**
 * Mails a one-time password link inside an open transaction — "set your password" to a user who
 * has none yet (new users, create-admin), "reset your password" otherwise — and returns the link.
 */
export async function mailPasswordLinkIn(tx: Tx, deps: Deps, user: User): Promise<string> {
  const purpose = user.passwordHash ? "reset-password" : "set-password";
  const token = await issueEmailTokenIn(tx, deps, user.id, purpose);
  const link = createPasswordLink(deps, token);
  await queueMailIn(tx, deps, { to: user.email, kind: purpose, data: { name: user.name, link } });
  return link;
}

/**
 * For an address with no (active) account: the same statements as for a real one — on a
 * throw-away user inside a savepoint that is then rolled back — so the answer takes as long.
 */
async function decoyResetIn(tx: Tx, deps: Deps) {
  await tx
    .transaction(async (savepoint) => {
      const decoy = await insertUser(savepoint, deps, { email: `${newId()}@decoy.invalid`, name: "decoy" });
      await mailPasswordLinkIn(savepoint, deps, { ...decoy, passwordHash: "-" });
      savepoint.rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof TransactionRollbackError)) throw error;
    });
}

/**
 * Mails a one-time link to an active account (a set-password link when it has no password yet).
 * Unknown and inactive addresses get the same answer after the same database work (decoyResetIn),
 * and the mail goes through the outbox, so neither the answer nor its timing tells whether an account exists.
 */
export async function requestPasswordReset(deps: Deps, email: string, ip: string | null): Promise<void> {
  const address = assertEmail(email);
  const rules = deps.config.rateLimits;
  await hitRateLimit(
    deps,
    { key: `reset-password:ip:${rateLimitBucket(ip)}`, rule: rules.resetPerIp },
    { key: `reset-password:email:${sha256Hex(address)}`, rule: rules.resetPerAccount },
  );
  const found = await findUserByEmail(deps, address);
  const user = found?.status === "ACTIVE" ? found : undefined;
  await deps.db.write(async (tx) => {
    if (user) await mailPasswordLinkIn(tx, deps, user);
    else await decoyResetIn(tx, deps);
    await auditIn(tx, deps, {
      event: "password.reset_requested",
      userId: found?.id ?? null,
      ip,
      detail: user ? {} : { ignored: found ? "inactive" : "unknown_email" },
    });
  });
}

/** The active user of an unused, unexpired link, or why there is none. Changes nothing. */
async function linkState(deps: Deps, token: string): Promise<{ user: User } | { dead: DeadLink }> {
  const state =
    token && token.length <= MAX_TOKEN_LENGTH ? await peekEmailToken(deps, token) : { dead: "invalid" as const };
  // A deactivated account's links open nothing (deactivation also voids them: updateUserIn).
  return "user" in state && state.user.status !== "ACTIVE" ? { dead: "invalid" } : state;
}

async function linkUser(deps: Deps, token: string): Promise<User | undefined> {
  const state = await linkState(deps, token);
  return "user" in state ? state.user : undefined;
}

/** What the form of a link shows (whose account, first password or not), or why the link is dead. */
export async function passwordLinkInfo(
  deps: Deps,
  token: string,
): Promise<{ email: string; firstPassword: boolean } | { dead: DeadLink }> {
  const state = await linkState(deps, token);
  if (!("user" in state)) return state;
  return { email: state.user.email, firstPassword: state.user.passwordHash === null };
}
