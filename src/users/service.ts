// Users: the one owner of the `users` table. Creation, lookup, changes and deletion, and the
// public shape that never carries a password hash. `…In(tx)` variants run inside the caller's
// write transaction, so a change, its audit rows and its mails commit together.
import { and, asc, count, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { prepared } from "../../db/prepared";
import { users, type Role, type User, type UserStatus } from "../../db/schema";
import type { Deps } from "../deps";
import { queueEventIn } from "../events/outbox";
import { badRequest, conflict, notFound } from "../errors";
import { changedFields } from "../lib/changes";
import { newId } from "../lib/crypto";
import { queueMailIn } from "../mail/outbox";
import { voidEmailTokensIn } from "../passwords/email-tokens";
import { revokeUserSessionsIn } from "../sessions/revoke";

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Deliberately loose (one @, a dot in the domain, no spaces): the set-password mail is the real check.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function assertEmail(email: string, field = "email"): string {
  const normalized = normalizeEmail(email);
  if (!EMAIL_SHAPE.test(normalized) || normalized.length > 254) {
    throw badRequest("invalid_email", `${field} must be an email address like name@example.com`, field);
  }
  return normalized;
}

export type PublicUser = Omit<User, "passwordHash"> & { hasPassword: boolean };

export function toPublicUser(user: User): PublicUser {
  const { passwordHash, ...rest } = user;
  return { ...rest, hasPassword: passwordHash !== null };
}

// Plain selects, not relational findFirst: drizzle maps their rows several times faster (every login
// reads the user by email).
const userBy = (column: typeof users.email | typeof users.id) =>
  prepared((orm) =>
    orm
      .select()
      .from(users)
      .where(eq(column, sql.placeholder("value")))
      .limit(1)
      .prepare(),
  );
const userByEmail = userBy(users.email);
const userById = userBy(users.id);

export async function findUserByEmail(deps: Deps, email: string): Promise<User | undefined> {
  return userByEmail(deps.db).get({ value: normalizeEmail(email) });
}

/** The user with this email inside an open transaction, if any. */
export async function findUserByEmailIn(tx: Tx, email: string): Promise<User | undefined> {
  return tx.query.users.findFirst({ where: eq(users.email, normalizeEmail(email)) });
}

export async function findUserById(deps: Pick<Deps, "db">, id: string): Promise<User | undefined> {
  return userById(deps.db).get({ value: id });
}

/** Every active admin (to tell them about something that needs an operator). */
export async function activeAdminsIn(tx: Tx): Promise<Pick<User, "id" | "email" | "name">[]> {
  return tx
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(and(eq(users.role, "ADMIN"), eq(users.status, "ACTIVE")));
}

/** The user with this id inside an open transaction; 404 `user_not_found` when there is none. */
export async function findUserIn(tx: Tx, userId: string): Promise<User> {
  const user = await tx.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user) throw notFound("user_not_found", "No user with this userId");
  return user;
}

export interface NewUser {
  email: string;
  name: string;
  role?: Role;
  /** Only an import brings these: its status, its bcrypt hash and its creation time. */
  status?: UserStatus;
  passwordHash?: string | null;
  createdAt?: number;
}

/** Inserts a user without a password inside an open transaction; 409 when the email is taken. */
export async function insertUser(tx: Tx, deps: Pick<Deps, "clock">, input: NewUser): Promise<User> {
  const email = assertEmail(input.email);
  const now = deps.clock.now();
  const [created] = await tx
    .insert(users)
    .values({
      id: newId(),
      email,
      name: input.name.trim(),
      role: input.role ?? "OWNER",
      status: input.status ?? "ACTIVE",
      passwordHash: input.passwordHash ?? null,
      createdAt: input.createdAt ?? now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning();
  if (!created) throw conflict("email_taken", `A user with email ${email} already exists`);
  await queueEventIn(tx, deps, "user.created", { userId: created.id });
  return created;
}

/** The user with this email, or a new one without a password (`created`: mail them a set-password link). */
export async function findOrCreateUserIn(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  input: NewUser,
): Promise<{ user: User; created: boolean }> {
  const existing = await findUserByEmailIn(tx, assertEmail(input.email));
  if (existing) return { user: existing, created: false };
  return { user: await insertUser(tx, deps, input), created: true };
}

/** Stores a new password hash (hashed by the caller, outside the transaction). */
export async function setPasswordHashIn(tx: Tx, deps: Pick<Deps, "clock">, userId: string, hash: string) {
  await tx.update(users).set({ passwordHash: hash, updatedAt: deps.clock.now() }).where(eq(users.id, userId));
}

export interface UserChanges {
  email?: string | undefined;
  name?: string | undefined;
  role?: Role | undefined;
  status?: UserStatus | undefined;
}

export interface ChangeOptions {
  /** "webhook:<id>", "admin:<id>", "operator", … — recorded on the revocations it causes. */
  actor: string;
}

const EDITABLE = ["email", "name", "role", "status"] as const;
const LABELS = { email: "email address", name: "name", role: "role", status: "account status" };

/**
 * Changes a user's email, name, role or status. An email already taken is 409; disabling the
 * account ends its sessions at once (ASVS V7.4.2); the old and the new address both get an
 * "account changed" mail. Nothing changes (and nothing is mailed) when no value differs.
 */
export async function updateUserIn(
  tx: Tx,
  deps: Deps,
  userId: string,
  changes: UserChanges,
  options: ChangeOptions,
): Promise<{ user: User; changed: (typeof EDITABLE)[number][]; revokedSessions: number }> {
  const user = await findUserIn(tx, userId);
  const email = changes.email === undefined ? undefined : assertEmail(changes.email);
  const next = { ...changes, email, name: changes.name?.trim() };
  const { changed, set } = changedFields(user, next, EDITABLE);
  if (changed.length === 0) return { user, changed, revokedSessions: 0 };
  if (email && changed.includes("email") && (await findUserByEmailIn(tx, email))) {
    throw conflict("email_taken", `A user with email ${email} already exists`);
  }
  const [updated] = await tx
    .update(users)
    .set({ ...set, updatedAt: deps.clock.now() })
    .where(eq(users.id, user.id))
    .returning();
  const after = updated as User;
  // A password link goes to one address for one account state: a new address or status voids it.
  if (changed.includes("email") || changed.includes("status")) await voidEmailTokensIn(tx, deps, user.id);
  const revokedSessions =
    after.status === "INACTIVE" && changed.includes("status")
      ? await revokeUserSessionsIn(tx, deps, user.id, { reason: "account_disabled", actor: options.actor })
      : 0;
  const summary = changed.map((k) => `${LABELS[k]} (now ${after[k]})`).join(", ");
  for (const to of new Set([user.email, after.email])) {
    await queueMailIn(tx, deps, { to, kind: "account-changed", data: { name: after.name, changes: summary } });
  }
  await queueEventIn(tx, deps, "user.updated", { userId: user.id, changed });
  return { user: after, changed, revokedSessions };
}

/** Deletes a user: their sessions are revoked (audited), then licenses and sessions go with the row. */
export async function deleteUserIn(
  tx: Tx,
  deps: Deps,
  userId: string,
  options: ChangeOptions,
): Promise<{ user: User; revokedSessions: number }> {
  const user = await findUserIn(tx, userId);
  // The notice is queued before the row goes (it needs the address); it leaves only if the delete commits.
  await queueMailIn(tx, deps, { to: user.email, kind: "account-deleted", data: { name: user.name } });
  const revokedSessions = await revokeUserSessionsIn(tx, deps, user.id, {
    reason: "account_deleted",
    actor: options.actor,
  });
  await tx.delete(users).where(eq(users.id, user.id));
  await queueEventIn(tx, deps, "user.deleted", { userId: user.id });
  return { user, revokedSessions };
}

export interface UserPage {
  limit: number;
  offset: number;
  /** A substring of the email; LIKE wildcards in it are matched literally. */
  search?: string | undefined;
}

/** `%`, `_` and the escape character itself lose their LIKE meaning. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A page of users, newest first, and how many match in all. */
export async function listUsersPage(deps: Deps, page: UserPage): Promise<{ rows: User[]; total: number }> {
  const search = page.search?.trim().toLowerCase();
  const where: SQL | undefined = search ? sql`${users.email} LIKE ${`%${escapeLike(search)}%`} ESCAPE '\\'` : undefined;
  const [rows, [totalRow]] = await Promise.all([
    deps.db.orm
      .select()
      .from(users)
      .where(where)
      .orderBy(desc(users.createdAt), asc(users.id))
      .limit(page.limit)
      .offset(page.offset),
    deps.db.orm.select({ total: count() }).from(users).where(where),
  ]);
  return { rows, total: totalRow?.total ?? 0 };
}
