// Shared fixtures for the webhook, admin and prune tests: an ADMIN access token, webhook tokens,
// deliveries, and session rows inserted directly (the login API is tested elsewhere).
import { expect } from "bun:test";
import { and, eq, sql } from "drizzle-orm";
import { sessions, type Role, type Session } from "../db/schema";
import { signAccessToken } from "../src/auth/access-token";
import { newId, randomToken, sha256Hex } from "../src/lib/crypto";
import { createUser } from "./fixtures";
import type { TestContext } from "./helpers";

export interface Signed {
  id: string;
  email: string;
  token: string;
}

/** A user of `role` with a live session row and a valid access token for it. */
export async function signedInUser(t: TestContext, role: Role = "ADMIN", email?: string): Promise<Signed> {
  const user = await createUser(t.deps, {
    email: email ?? `${role.toLowerCase()}-${newId()}@example.com`,
    name: role,
    role,
  });
  const session = await insertSession(t, user.id, { kind: "account" });
  const token = await signAccessToken(t.deps, {
    user,
    sessionId: session.id,
    limited: false,
    limitedReason: null,
    product: null,
    licenses: [],
  });
  return { id: user.id, email: user.email, token };
}

export async function insertSession(t: TestContext, userId: string, values: Partial<Session> = {}): Promise<Session> {
  const now = t.clock.now();
  const [row] = await t.deps.db.write((tx) =>
    tx
      .insert(sessions)
      .values({
        id: newId(),
        userId,
        kind: "app",
        createdAt: now,
        lastUsedAt: now,
        expiresAt: now + t.deps.config.sessionTtl * 1000,
        tokenHash: sha256Hex(randomToken()),
        ...values,
      })
      .returning(),
  );
  return row as Session;
}

export interface Hook {
  id: string;
  name: string;
  token: string;
  url: string;
}

export async function createHook(t: TestContext, admin: Signed, body: Record<string, unknown> = { name: "store" }) {
  const res = await t.request("POST", "/api/webhooks/create", {
    body,
    headers: { authorization: `Bearer ${admin.token}` },
  });
  if (res.status !== 201) throw new Error(`webhook create failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Hook;
}

/** POST /api/webhooks with the token as a Bearer header. */
export function deliver(t: TestContext, token: string, body: unknown, headers: Record<string, string> = {}) {
  return t.request("POST", "/api/webhooks", { body, headers: { authorization: `Bearer ${token}`, ...headers } });
}

export interface WebhookBody<T = Record<string, unknown>> {
  success: boolean;
  response: T;
  time: number;
  error?: string;
  code?: string;
  field?: string;
}

/** Delivery helpers bound to one context and webhook. */
export function deliveryKit(t: TestContext, hook: Hook) {
  const send = async <T = Record<string, unknown>>(body: unknown, headers?: Record<string, string>) => {
    const res = await deliver(t, hook.token, body, headers);
    return { status: res.status, body: (await res.json()) as WebhookBody<T> };
  };

  /** Row counts that a refused request must leave alone. */
  const snapshot = async () => {
    const count = async (table: string, where = "1") =>
      Number(
        (await t.deps.db.orm.all<{ n: number }>(sql.raw(`SELECT count(*) AS n FROM ${table} WHERE ${where}`)))[0]?.n,
      );
    return {
      users: await count("users"),
      licenses: await count("licenses"),
      liveSessions: await count("sessions", "revoked_at IS NULL"),
      mail: await count("mail_outbox"),
      emailTokens: await count("email_tokens"),
      webhooks: await count("webhook_tokens", "revoked_at IS NULL"),
      events: await count("webhook_events"),
      successes: await count("audit_log", `detail LIKE '%"result":"success"%'`),
    };
  };

  /** The delivery is refused with this status, code (and field) — and nothing changed. */
  const expectRefused = async (body: unknown, status: number, code: string, field?: string) => {
    const before = await snapshot();
    const res = await send(body);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    if (field) expect(res.body.field).toBe(field);
    expect(typeof res.body.error).toBe("string");
    expect(await snapshot()).toEqual(before);
  };

  const newUser = async (email = `u-${newId()}@example.com`) => {
    const res = await send<{ user: { id: string } }>({ action: "create-user", email, name: "Someone" });
    expect(res.status).toBe(200);
    return res.body.response.user.id;
  };

  const newLicense = async (userId: string, seats = 2) => {
    const body = { action: "create-license", userId, productId: "pro", seats, validUntil: "2031-01-01T00:00:00Z" };
    const res = await send<{ license: { id: string } }>(body);
    expect(res.status).toBe(200);
    return res.body.response.license.id;
  };

  const liveSessionsOf = (userId: string) =>
    t.deps.db.orm
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, userId), sql`revoked_at IS NULL`));

  return { send, snapshot, expectRefused, newUser, newLicense, liveSessionsOf };
}
