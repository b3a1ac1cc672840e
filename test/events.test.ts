// Event webhooks out (Standard Webhooks): endpoints registered by an admin, events queued in the
// same transaction as their change, delivered by the outbox sender, verified by a real receiver
// with the `standardwebhooks` package; retries, give-up, disabling, replay, rotation.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { eventDeliveries, eventEndpoints } from "../db/schema";
import { DISABLE_AFTER_MS } from "../src/events/endpoints";
import { queueEventIn } from "../src/events/outbox";
import { backoffMs, eventRunner, LOCK_MS, MAX_ATTEMPTS } from "../src/events/sender";
import type { EventDataByType, EventType } from "../src/events/types";
import { startReceiver, type Receiver } from "./event-receiver";
import { bearer, loginAs, seedUser } from "./fixtures";
import { createTestContext, type TestContext } from "./helpers";

let t: TestContext;
let receiver: Receiver;
let admin: { id: string; email: string; password: string };

const adminHeaders = async () => bearer((await loginAs(t, admin)).accessToken);
const flush = () => eventRunner(t.deps).flush();

async function register(body: Record<string, unknown> = {}) {
  const res = await t.request("POST", "/api/admin/event-endpoints", {
    body: { url: receiver.url, ...body },
    headers: await adminHeaders(),
  });
  expect(res.status).toBe(201);
  const created = (await res.json()) as { endpoint: { id: string }; secret: string };
  receiver.secrets.push(created.secret);
  return created;
}

/** Queues an event without starting the sender (each test decides when to flush). */
function emit<T extends EventType>(type: T, data: EventDataByType[T]) {
  return t.deps.db.write((tx) => queueEventIn(tx, { clock: t.clock }, type, data));
}

async function deliveriesOf(endpointId: string) {
  return t.deps.db.orm.select().from(eventDeliveries).where(eq(eventDeliveries.endpointId, endpointId));
}

beforeAll(async () => {
  t = await createTestContext({ env: { EVENTS_ALLOW_PRIVATE: "true" } });
  admin = await seedUser(t, { role: "ADMIN", email: "admin@example.com", name: "Ada Admin" });
  receiver = startReceiver();
  receiver.now = () => t.clock.now();
});
afterAll(async () => {
  receiver.stop();
  await t.close();
});
beforeEach(async () => {
  await flush();
  // Each test has only its own endpoints.
  await t.deps.db.write((tx) => tx.delete(eventEndpoints));
  receiver.received.length = 0;
  receiver.secrets.length = 0;
  receiver.mode = "ok";
});

describe("delivery", () => {
  test("an event is signed per Standard Webhooks and verifies at a real receiver; payload is {type, timestamp, data}", async () => {
    const { endpoint, secret } = await register();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(await emit("user.created", { userId: "u1" })).toBe(1);
    await flush();
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got!.error).toBeNull();
    expect(got!.id).toMatch(/^msg_/);
    expect(Number(got!.timestamp)).toBe(Math.floor(t.clock.now() / 1000));
    expect(got!.verified).toEqual({
      type: "user.created",
      timestamp: new Date(t.clock.now()).toISOString(),
      data: { userId: "u1" },
    });
    const [row] = await deliveriesOf(endpoint.id);
    expect(row).toMatchObject({ id: got!.id, attempts: 1, lastStatus: 200, failedAt: null });
    expect(row!.deliveredAt).toBe(t.clock.now());
  });

  test("tampered, stale and wrong-secret deliveries fail at the receiver's verifier", async () => {
    await register();
    await emit("session.revoked", { userId: "u1", sessionId: "s1", reason: "logout" });
    await flush();
    const [got] = receiver.received as [(typeof receiver.received)[number]];
    expect(got.verified).toBeTruthy();
    const tampered = { ...got, body: got.body.replace('"logout"', '"admin"') };
    expect(() => receiver.verify(tampered)).toThrow(/signature/i);
    expect(() => receiver.verify(got, `whsec_${Buffer.alloc(32, 7).toString("base64")}`)).toThrow(/signature/i);
    const stale = { ...got, timestamp: String(Number(got.timestamp) - 6 * 60) };
    expect(() => receiver.verify(stale)).toThrow();
    t.clock.advance(6 * 60_000);
    expect(() => receiver.verify(got)).toThrow(/too old/i);
  });

  test("an endpoint receives only the event types it asked for; a disabled one none", async () => {
    const picky = await register({ eventTypes: ["user.created", "password.changed"] });
    const off = await register({ enabled: false });
    expect(await emit("license.deleted", { licenseId: "l1", userId: "u1", productId: "app" })).toBe(0);
    expect(await emit("password.changed", { userId: "u1" })).toBe(1);
    await flush();
    expect(receiver.received.map((r) => (r.verified as { type: string }).type)).toEqual(["password.changed"]);
    expect(await deliveriesOf(off.endpoint.id)).toHaveLength(0);
    expect(await deliveriesOf(picky.endpoint.id)).toHaveLength(1);
  });

  test("with full deps the sender starts right after the commit (no flush, no poller)", async () => {
    await register();
    await t.deps.db.write((tx) => queueEventIn(tx, t.deps, "user.created", { userId: "kicked" }));
    for (let i = 0; i < 100 && receiver.received.length === 0; i++) await Bun.sleep(20);
    expect(receiver.received.map((r) => r.error)).toEqual([null]);
  });

  test("an event queued in a transaction that rolls back is never sent", async () => {
    const { endpoint } = await register();
    await expect(
      t.deps.db.write(async (tx) => {
        await queueEventIn(tx, t.deps, "user.deleted", { userId: "u1" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    await flush();
    expect(await deliveriesOf(endpoint.id)).toHaveLength(0);
    expect(receiver.received).toHaveLength(0);
  });
});

describe("retries", () => {
  test("receiver down → retries with growing gaps → back up → each event delivered; duplicates only with the same webhook-id", async () => {
    const { endpoint } = await register();
    receiver.stop();
    for (let i = 0; i < 3; i++) await emit("user.updated", { userId: `u${i}`, changed: ["name"] });
    const gaps: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const run = await flush();
      expect(run).toEqual({ sent: 0, failed: 3 });
      const rows = await deliveriesOf(endpoint.id);
      for (const row of rows) expect(row.attempts).toBe(attempt);
      const gap = rows[0]!.nextAttemptAt - t.clock.now();
      gaps.push(gap);
      // Not due before the gap has passed.
      t.clock.advance(gap - 1000);
      expect((await flush()).failed).toBe(0);
      t.clock.advance(1000);
    }
    expect(gaps).toEqual([backoffMs(1), backoffMs(2), backoffMs(3), backoffMs(4)]);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect((await deliveriesOf(endpoint.id))[0]!.lastError).toMatch(/connect|refused|ECONNREFUSED/i);

    // Up again, but the first answer is lost (503 after reading): the retry repeats the same id.
    receiver.start();
    receiver.mode = "error";
    expect((await flush()).sent).toBe(0);
    receiver.mode = "ok";
    t.clock.advance(backoffMs(5));
    expect((await flush()).sent).toBe(3);
    expect((await flush()).sent).toBe(0);
    const byId = Map.groupBy(receiver.received, (r) => r.id);
    expect(byId.size).toBe(3);
    for (const copies of byId.values()) {
      expect(copies).toHaveLength(2);
      expect(new Set(copies.map((c) => c.body)).size).toBe(1);
      for (const c of copies) expect(c.error).toBeNull();
    }
    for (const row of await deliveriesOf(endpoint.id)) expect(row.deliveredAt).not.toBeNull();
  });

  test("after about a day of failures a delivery is failed; days of failures disable the endpoint and mail the admins", async () => {
    const { endpoint } = await register();
    receiver.mode = "error";
    const start = t.clock.now();
    await emit("user.deleted", { userId: "gone" });
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await flush();
      t.clock.advance(backoffMs(i + 1));
    }
    const [row] = await deliveriesOf(endpoint.id);
    expect(row!.attempts).toBe(MAX_ATTEMPTS);
    expect(row!.failedAt).not.toBeNull();
    const hours = (row!.failedAt! - start) / 3600_000;
    expect(hours).toBeGreaterThan(20);
    expect(hours).toBeLessThan(30);
    expect(receiver.received).toHaveLength(MAX_ATTEMPTS);

    // Days later the endpoint still fails: it is disabled and every active admin is told.
    t.clock.set(start + DISABLE_AFTER_MS + 1000);
    await emit("user.created", { userId: "later" });
    await flush();
    const [disabled] = await t.deps.db.orm.select().from(eventEndpoints).where(eq(eventEndpoints.id, endpoint.id));
    expect(disabled!.enabled).toBe(false);
    expect(disabled!.disabledReason).toMatch(/failed since/);
    const mail = await waitForMail(admin.email);
    expect(mail.subject).toMatch(/event endpoint was disabled/i);
    expect(mail.text).toContain(`127.0.0.1:${receiver.port}/hooks`);
    expect(await emit("user.created", { userId: "ignored" })).toBe(0);

    // Enabled again by an admin: the pending delivery goes out; the failed one can be replayed.
    receiver.mode = "ok";
    const res = await t.request("PATCH", `/api/admin/event-endpoints/${endpoint.id}`, {
      body: { enabled: true },
      headers: await adminHeaders(),
    });
    expect(((await res.json()) as { failingSince: unknown; enabled: boolean }).enabled).toBe(true);
    t.clock.advance(backoffMs(MAX_ATTEMPTS));
    expect((await flush()).sent).toBe(1);
    const failed = await t.request("GET", `/api/admin/event-deliveries?status=failed&endpointId=${endpoint.id}`, {
      headers: await adminHeaders(),
    });
    const { deliveries } = (await failed.json()) as { deliveries: { id: string }[] };
    expect(deliveries.map((d) => d.id)).toEqual([row!.id]);
    const replay = await t.request("POST", `/api/admin/event-deliveries/${row!.id}/replay`, {
      headers: await adminHeaders(),
    });
    expect(replay.status).toBe(200);
    await flush();
    const last = receiver.received.at(-1)!;
    expect(last.id).toBe(row!.id);
    expect(last.error).toBeNull();
    const [replayed] = await t.deps.db.orm.select().from(eventDeliveries).where(eq(eventDeliveries.id, row!.id));
    expect(replayed!.deliveredAt).not.toBeNull();
  });

  test("a claimed delivery is not sent by another runner until its lock runs out", async () => {
    const { endpoint } = await register();
    await t.deps.db.write(async (tx) => {
      await queueEventIn(tx, t.deps, "password.changed", { userId: "u1" });
      // As if another process had just claimed it and died before answering.
      await tx.update(eventDeliveries).set({ lockedUntil: t.clock.now() + LOCK_MS });
    });
    expect((await flush()).sent).toBe(0);
    t.clock.advance(LOCK_MS);
    expect((await flush()).sent).toBe(1);
    expect((await deliveriesOf(endpoint.id))[0]!.attempts).toBe(1);
  });

  test("runners racing over the same outbox send every delivery exactly once", async () => {
    const { endpoint } = await register();
    for (let i = 0; i < 30; i++) await emit("seat.taken", { userId: `u${i}`, sessionId: `s${i}`, productId: "app" });
    const { processEvents } = await import("../src/events/sender");
    const runs = await Promise.all(Array.from({ length: 4 }, () => processEvents(t.deps, 10)));
    await flush();
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBeLessThanOrEqual(30);
    expect(receiver.received).toHaveLength(30);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(30);
    expect((await deliveriesOf(endpoint.id)).every((d) => d.attempts === 1)).toBe(true);
  });
});

async function waitForMail(to: string) {
  for (let i = 0; i < 100; i++) {
    const found = t.smtp.messages.find((m) => m.to === to);
    if (found) return found;
    await Bun.sleep(20);
  }
  throw new Error(`no mail to ${to}`);
}
