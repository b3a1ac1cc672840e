// bun run prune-sessions (README "Pruning"): revokes sessions beyond a user's valid seats once licenses
// expire, deletes what is no longer needed, prints counts; safe to run repeatedly and concurrently.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { auditLog, emailTokens, licenses, mailOutbox, rateLimits, sessions, webhookEvents } from "../db/schema";
import { newId, sha256Hex } from "../src/lib/crypto";
import { prune, RETENTION_MS } from "../src/maintenance/prune";
import { createUser } from "./fixtures";
import { createTestContext, type TestContext } from "./helpers";
import { insertSession } from "./webhooks-fixtures";

const MIN = 60_000;
const DAY = 86_400_000;
let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.close());

async function userWith(licenseList: { productId?: string; seats: number; validFor: number }[]) {
  const user = await createUser(t.deps, { email: `p-${newId()}@example.com`, name: "P" });
  const now = t.clock.now();
  for (const l of licenseList) {
    await t.deps.db.write((tx) =>
      tx.insert(licenses).values({
        id: newId(),
        userId: user.id,
        productId: l.productId ?? "pro",
        seats: l.seats,
        validUntil: now + l.validFor,
        createdAt: now,
        updatedAt: now,
      }),
    );
  }
  return user.id;
}

const usedAgo = (ms: number) => ({ lastUsedAt: t.clock.now() - ms });
/** An app session seated on `pro` (every seated session counts against one product's seats). */
const seatedSession = (userId: string, values: Parameters<typeof insertSession>[2] = {}) =>
  insertSession(t, userId, { productId: "pro", ...values });
const session = (id: string) => t.deps.db.orm.query.sessions.findFirst({ where: eq(sessions.id, id) });

describe("seats after licenses expire", () => {
  test("an expired license's seated sessions are revoked (seats_exceeded); limited and account sessions stay", async () => {
    const userId = await userWith([{ seats: 2, validFor: 10 * MIN }]);
    const a = await seatedSession(userId, usedAgo(1 * MIN));
    const b = await seatedSession(userId, usedAgo(2 * MIN));
    const limited = await insertSession(t, userId, { limited: true, limitedReason: "no_free_seat" });
    const account = await insertSession(t, userId, { kind: "account" });
    expect((await prune(t.deps)).seatsRevoked).toBe(0);
    t.clock.advance(11 * MIN);
    const counts = await prune(t.deps);
    expect(counts.seatsRevoked).toBe(2);
    for (const s of [a, b]) expect((await session(s.id))?.revokeReason).toBe("seats_exceeded");
    for (const s of [limited, account]) expect((await session(s.id))?.revokedAt).toBeNull();
  });

  test("when seats shrink, the most recently used seated sessions are kept", async () => {
    const userId = await userWith([
      { seats: 2, validFor: 365 * DAY },
      { seats: 1, validFor: 5 * MIN },
    ]);
    const newest = await seatedSession(userId, usedAgo(1 * MIN));
    const oldest = await seatedSession(userId, usedAgo(3 * MIN));
    const middle = await seatedSession(userId, usedAgo(2 * MIN));
    t.clock.advance(6 * MIN);
    await prune(t.deps);
    expect((await session(newest.id))?.revokedAt).toBeNull();
    expect((await session(middle.id))?.revokedAt).toBeNull();
    expect((await session(oldest.id))?.revokeReason).toBe("seats_exceeded");
  });

  test("a session that named a product is held to that product's seats", async () => {
    const userId = await userWith([
      { productId: "editor", seats: 1, validFor: 365 * DAY },
      { productId: "viewer", seats: 1, validFor: 5 * MIN },
    ]);
    const editor = await insertSession(t, userId, { productId: "editor", ...usedAgo(4 * MIN) });
    const viewer = await insertSession(t, userId, { productId: "viewer", ...usedAgo(1 * MIN) });
    t.clock.advance(6 * MIN);
    await prune(t.deps);
    expect((await session(editor.id))?.revokedAt).toBeNull();
    expect((await session(viewer.id))?.revokeReason).toBe("seats_exceeded");
  });

  test("idle sessions (no refresh within SEAT_IDLE_TIMEOUT) hold no seat and are left alone", async () => {
    const userId = await userWith([{ seats: 1, validFor: 5 * MIN }]);
    const idle = await seatedSession(userId, usedAgo(29 * MIN));
    t.clock.advance(2 * MIN); // license expired, session now idle for 31 minutes
    await prune(t.deps);
    expect((await session(idle.id))?.revokedAt).toBeNull();
  });

  test("two runs at once end in the same state as one: each extra session revoked once", async () => {
    const userIds = await Promise.all(Array.from({ length: 3 }, () => userWith([{ seats: 1, validFor: 5 * MIN }])));
    const all = [];
    for (const userId of userIds) {
      all.push(await seatedSession(userId, usedAgo(1 * MIN)), await seatedSession(userId, usedAgo(2 * MIN)));
    }
    t.clock.advance(6 * MIN);
    const runs = await Promise.all([prune(t.deps), prune(t.deps)]);
    expect(runs[0].seatsRevoked + runs[1].seatsRevoked).toBe(6);
    for (const s of all) expect((await session(s.id))?.revokeReason).toBe("seats_exceeded");
    const audits = await t.deps.db.orm
      .select()
      .from(auditLog)
      .where(sql`${auditLog.event} = 'session.revoked' AND ${auditLog.userId} IN (${sql.join(userIds, sql`, `)})`);
    expect(audits).toHaveLength(6);
    expect((await prune(t.deps)).seatsRevoked).toBe(0);
  });
});

describe("deleting old rows", () => {
  test("deletes exactly what is expired, used or older than 30 days — twice at once, same result", async () => {
    const now = t.clock.now();
    const old = now - RETENTION_MS - 1;
    const recent = now - DAY;
    const userId = await userWith([]);
    const expiredLongAgo = await insertSession(t, userId, { expiresAt: old });
    const expiredRecently = await insertSession(t, userId, { expiresAt: recent });
    const revokedLongAgo = await insertSession(t, userId, { revokedAt: old, revokeReason: "x" });
    const revokedRecently = await insertSession(t, userId, { revokedAt: recent, revokeReason: "x" });
    const token = (values: { usedAt?: number; expiresAt: number }) => ({
      id: newId(),
      userId,
      purpose: "reset-password" as const,
      tokenHash: sha256Hex(newId()),
      createdAt: now,
      ...values,
    });
    const maxWindow = Math.max(...Object.values(t.deps.config.rateLimits).map((r) => r.window)) * 1000;
    await t.deps.db.write(async (tx) => {
      await tx
        .insert(emailTokens)
        .values([
          token({ usedAt: now, expiresAt: now + MIN }),
          token({ expiresAt: now - 1 }),
          { ...token({ expiresAt: now + MIN }), id: "live-token" },
        ]);
      await tx.insert(rateLimits).values([
        { key: "old", count: 3, windowStart: now - maxWindow - 1 },
        { key: "current", count: 3, windowStart: now - 1000 },
      ]);
      await tx.insert(webhookEvents).values([
        { key: "w:old", webhookId: "w", status: 200, response: "{}", createdAt: old },
        { key: "w:recent", webhookId: "w", status: 200, response: "{}", createdAt: recent },
      ]);
      const mail = (id: string, sentAt: number | null, createdAt: number) => ({
        id,
        to: "a@b.co",
        messageSealed: "x",
        kind: "set-password",
        nextAttemptAt: createdAt,
        sentAt,
        createdAt,
      });
      await tx
        .insert(mailOutbox)
        .values([mail("sent-old", old, old), mail("sent-recent", recent, recent), mail("unsent-old", null, old)]);
    });

    const [first, second] = await Promise.all([prune(t.deps), prune(t.deps)]);
    const sum = (k: keyof typeof first) => first[k] + second[k];
    expect(sum("sessionsDeleted")).toBe(2);
    expect(sum("emailTokensDeleted")).toBe(2);
    expect(sum("rateLimitsDeleted")).toBe(1);
    expect(sum("webhookEventsDeleted")).toBe(1);
    expect(sum("mailDeleted")).toBe(1);

    const left = await t.deps.db.orm.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId));
    expect(left.map((s) => s.id).sort()).toEqual([expiredRecently.id, revokedRecently.id].sort());
    expect(left.map((s) => s.id)).not.toContain(expiredLongAgo.id);
    expect(left.map((s) => s.id)).not.toContain(revokedLongAgo.id);
    expect(
      (await t.deps.db.orm.select().from(emailTokens).where(eq(emailTokens.userId, userId))).map((r) => r.id),
    ).toEqual(["live-token"]);
    expect((await t.deps.db.orm.select().from(rateLimits)).map((r) => r.key).sort()).toEqual(["current"]);
    expect((await t.deps.db.orm.select().from(webhookEvents)).map((r) => r.key)).toEqual(["w:recent"]);
    expect((await t.deps.db.orm.select().from(mailOutbox)).map((r) => r.id).sort()).toEqual([
      "sent-recent",
      "unsent-old",
    ]);

    expect(await prune(t.deps)).toEqual({
      seatsRevoked: 0,
      coolDownsEnded: 0,
      sessionsDeleted: 0,
      emailTokensDeleted: 0,
      rateLimitsDeleted: 0,
      webhookEventsDeleted: 0,
      mailDeleted: 0,
      storeEventsDeleted: 0,
    });
  });
});

describe("the script", () => {
  const run = (args: string[] = []) => {
    const env = {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      DATABASE_URL: `file:${join(t.dir, "test.db")}`,
      JWT_PRIVATE_KEY: t.deps.config.jwtPrivateKey,
      SECRET_KEY: t.deps.config.secretKey,
    };
    return Bun.spawnSync([process.execPath, "scripts/prune-sessions.ts", ...args], {
      env,
      stdout: "pipe",
      stderr: "pipe",
    });
  };

  test("bun run prune-sessions prints one count per step and deletes used tokens", async () => {
    const userId = await userWith([]);
    const now = t.clock.now();
    await t.deps.db.write((tx) =>
      tx.insert(emailTokens).values({
        id: "used-by-script",
        userId,
        purpose: "set-password",
        tokenHash: sha256Hex("s"),
        expiresAt: now,
        usedAt: now,
        createdAt: now,
      }),
    );
    const result = run();
    const out = result.stdout.toString();
    expect(result.exitCode).toBe(0);
    for (const name of [
      "seatsRevoked",
      "sessionsDeleted",
      "emailTokensDeleted",
      "rateLimitsDeleted",
      "webhookEventsDeleted",
      "mailDeleted",
    ]) {
      expect(out).toMatch(new RegExp(`^${name}: \\d+$`, "m"));
    }
    expect(out).toMatch(/^emailTokensDeleted: [1-9]\d*$/m);
    expect(
      await t.deps.db.orm.query.emailTokens.findFirst({ where: eq(emailTokens.id, "used-by-script") }),
    ).toBeUndefined();
  });

  test("bad arguments print the usage line and exit 2", () => {
    const result = run(["--everything"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.toString()).toContain("usage: bun run prune-sessions");
  });
});
