// Seed helpers for tests: users with passwords and licenses written straight to the database.
import { eq, sql } from "drizzle-orm";
import { licenses, sessions, users, type Role } from "../db/schema";
import type { AuthResult } from "../src/auth/model";
import type { Deps } from "../src/deps";
import { newId } from "../src/lib/crypto";
import { insertUser, type NewUser } from "../src/users/service";
import type { TestContext } from "./helpers";

export const PASSWORD = "correct horse battery staple";

export interface SeedUser {
  email?: string;
  name?: string;
  role?: Role;
  password?: string | null;
  status?: "ACTIVE" | "INACTIVE";
  licenses?: { productId?: string; productName?: string; seats: number; validForMs?: number }[];
}

export async function seedUser(t: TestContext, input: SeedUser = {}) {
  const now = t.clock.now();
  const password = input.password === undefined ? PASSWORD : input.password;
  const passwordHash = password === null ? null : await t.deps.hasher.hash(password);
  const id = newId();
  const email = (input.email ?? `user-${id.slice(0, 8)}@example.com`).toLowerCase();
  await t.deps.db.write(async (tx) => {
    await tx.insert(users).values({
      id,
      email,
      name: input.name ?? "Test User",
      role: input.role ?? "OWNER",
      status: input.status ?? "ACTIVE",
      passwordHash,
      createdAt: now,
      updatedAt: now,
    });
    for (const l of input.licenses ?? []) {
      await tx.insert(licenses).values({
        id: newId(),
        userId: id,
        productId: l.productId ?? "app",
        productName: l.productName ?? null,
        seats: l.seats,
        validUntil: now + (l.validForMs ?? 365 * 86400_000),
        createdAt: now,
        updatedAt: now,
      });
    }
  });
  return { id, email, password: password ?? "" };
}

/** A user without a password, through the users service (as the store's create-user makes one). */
export async function createUser(deps: Deps, input: NewUser) {
  return deps.db.write((tx) => insertUser(tx, deps, input));
}

/** What login and refresh answer (the service's own type). */
export type LoginBody = AuthResult;

export async function loginAs(
  t: TestContext,
  user: { email: string; password: string },
  extra: Record<string, unknown> = {},
) {
  const res = await t.request("POST", "/api/auth/login", {
    body: { email: user.email, password: user.password, ...extra },
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as LoginBody;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function countRows(
  t: TestContext,
  table: "sessions" | "users" | "licenses" | "audit_log" | "rate_limits",
) {
  const rs = await t.deps.db.client.execute(`SELECT count(*) AS n FROM ${table}`);
  return Number(rs.rows[0]?.n ?? 0);
}

export async function sessionRow(t: TestContext, id: string) {
  return t.deps.db.orm.query.sessions.findFirst({ where: eq(sessions.id, id) });
}

export async function seatedCount(t: TestContext, userId: string) {
  const rs = await t.deps.db.orm.all<{ n: number }>(
    sql`SELECT count(*) AS n FROM sessions WHERE user_id = ${userId} AND kind = 'app' AND limited = 0 AND revoked_at IS NULL`,
  );
  return Number(rs[0]?.n ?? 0);
}
