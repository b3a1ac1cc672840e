// Users: creation, lookup, and the public shape that never carries a password hash.
import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { users, type Role, type User, type UserStatus } from "../../db/schema";
import type { Deps } from "../deps";
import { badRequest, conflict, notFound } from "../errors";
import { newId } from "../lib/crypto";

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

export async function findUserByEmail(deps: Deps, email: string): Promise<User | undefined> {
  return deps.db.orm.query.users.findFirst({ where: eq(users.email, normalizeEmail(email)) });
}

export async function findUserById(deps: Deps, id: string): Promise<User | undefined> {
  return deps.db.orm.query.users.findFirst({ where: eq(users.id, id) });
}

/** The user with this id inside an open transaction; 404 `user_not_found` when there is none. */
export async function findUserIn(tx: Tx, userId: string): Promise<User> {
  const user = await tx.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user) throw notFound("user_not_found", "No user with this userId");
  return user;
}

/** The user with this email inside an open transaction, if any. */
export async function findUserByEmailIn(tx: Tx, email: string): Promise<User | undefined> {
  return tx.query.users.findFirst({ where: eq(users.email, normalizeEmail(email)) });
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
  return created;
}

/** The user with this email, or a new one without a password (`created`: mail them a set-password link). */
export async function findOrCreateUserIn(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  input: NewUser,
): Promise<{ user: User; created: boolean }> {
  const existing = await tx.query.users.findFirst({ where: eq(users.email, assertEmail(input.email)) });
  if (existing) return { user: existing, created: false };
  return { user: await insertUser(tx, deps, input), created: true };
}

export async function createUser(deps: Deps, input: NewUser): Promise<User> {
  return deps.db.write((tx) => insertUser(tx, deps, input));
}
