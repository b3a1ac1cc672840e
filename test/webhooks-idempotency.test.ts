// Idempotent deliveries (README "Integrating your store"): an Idempotency-Key header or event `id` already processed
// returns the first response and changes nothing — sequentially and under concurrency.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { auditLog, licenses, users, webhookEvents } from "../db/schema";
import { ABANDONED_AFTER_MS, withIdempotency } from "../src/webhooks/idempotency";
import { createTestContext, type TestContext } from "./helpers";
import { createHook, deliver, type Hook, signedInUser, type WebhookBody } from "./webhooks-fixtures";

let t: TestContext;
let hook: Hook;
let other: Hook;
beforeAll(async () => {
  t = await createTestContext();
  const admin = await signedInUser(t);
  hook = await createHook(t, admin);
  other = await createHook(t, admin, { name: "second store" });
});
afterAll(() => t.close());

const grant = (email: string) => ({
  action: "grant-license",
  email,
  name: "Buyer",
  productId: "pro",
  seats: 1,
  validUntil: "2031-01-01",
});

async function licensesOf(email: string) {
  const user = await t.deps.db.orm.query.users.findFirst({ where: eq(users.email, email) });
  if (!user) return [];
  return t.deps.db.orm.select().from(licenses).where(eq(licenses.userId, user.id));
}

const auditCount = async (event: string) =>
  (await t.deps.db.orm.select().from(auditLog).where(eq(auditLog.event, event))).length;

describe("sequential replays", () => {
  test("the same Idempotency-Key returns the first response (status and body) and changes nothing", async () => {
    const headers = { "idempotency-key": "order-1001" };
    const first = await deliver(t, hook.token, grant("seq@example.com"), headers);
    const firstBody = await first.text();
    expect(first.status).toBe(200);
    const audits = await auditCount("webhook.grant-license");
    for (let i = 0; i < 3; i++) {
      const replay = await deliver(t, hook.token, grant("seq@example.com"), headers);
      expect(replay.status).toBe(200);
      expect(await replay.text()).toBe(firstBody);
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
    }
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(await licensesOf("seq@example.com")).toHaveLength(1);
    expect(await auditCount("webhook.grant-license")).toBe(audits);
  });

  test("a top-level event id works like the header; a different id is a new event", async () => {
    const event = { ...grant("evt@example.com"), id: "evt_1NqA" };
    const first = (await (await deliver(t, hook.token, event)).json()) as WebhookBody;
    const replay = (await (await deliver(t, hook.token, event)).json()) as WebhookBody;
    expect(replay).toEqual(first);
    expect(await licensesOf("evt@example.com")).toHaveLength(1);
    await deliver(t, hook.token, { ...event, id: "evt_2" });
    expect(await licensesOf("evt@example.com")).toHaveLength(2);
  });

  test('keys are typed: event id 1 and event id "1" are two events', async () => {
    const asNumber = await deliver(t, hook.token, { ...grant("typed@example.com"), id: 1 });
    const asString = await deliver(t, hook.token, { ...grant("typed@example.com"), id: "1" });
    expect([asNumber.status, asString.status]).toEqual([200, 200]);
    expect(asString.headers.get("idempotent-replayed")).toBeNull();
    expect(await licensesOf("typed@example.com")).toHaveLength(2);
    const again = await deliver(t, hook.token, { ...grant("typed@example.com"), id: 1 });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await licensesOf("typed@example.com")).toHaveLength(2);
    const control = await deliver(t, hook.token, { ...grant("typed@example.com"), id: "\u001f#1" });
    expect(control.status).toBe(400);
  });

  test("keys are per webhook: the same key from another webhook is its own event", async () => {
    const headers = { "idempotency-key": "shared-key" };
    await deliver(t, hook.token, grant("per-hook@example.com"), headers);
    const fromOther = await deliver(t, other.token, grant("per-hook@example.com"), headers);
    expect(fromOther.headers.get("idempotent-replayed")).toBeNull();
    expect(await licensesOf("per-hook@example.com")).toHaveLength(2);
  });

  test("a failed first attempt does not poison the key: the retry runs the action", async () => {
    const headers = { "idempotency-key": "license-before-user" };
    const early = { action: "create-license", userId: "not-yet", productId: "pro", seats: 1, validUntil: "2031-01-01" };
    const failed = await deliver(t, hook.token, early, headers);
    expect(failed.status).toBe(404);
    const invalid = await deliver(t, hook.token, { ...early, seats: 0 }, headers);
    expect(invalid.status).toBe(400);
    const rows = await t.deps.db.orm
      .select()
      .from(webhookEvents)
      .where(sql`${webhookEvents.key} LIKE '%license-before-user'`);
    expect(rows).toHaveLength(0);
    const created = (await (
      await deliver(t, hook.token, { action: "create-user", email: "late@example.com", name: "Late" })
    ).json()) as WebhookBody<{ user: { id: string } }>;
    const retry = await deliver(t, hook.token, { ...early, userId: created.response.user.id }, headers);
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(await licensesOf("late@example.com")).toHaveLength(1);
  });

  test("an empty, oversized or wrongly typed key is 400", async () => {
    const empty = await deliver(t, hook.token, { ...grant("key@example.com"), id: "" });
    expect(empty.status).toBe(400);
    const big = await deliver(t, hook.token, grant("key@example.com"), { "idempotency-key": "k".repeat(300) });
    expect(big.status).toBe(400);
    const typed = await deliver(t, hook.token, { ...grant("key@example.com"), id: { evil: true } });
    expect(typed.status).toBe(400);
    expect(((await typed.json()) as WebhookBody).field).toBe("id");
    expect(await licensesOf("key@example.com")).toHaveLength(0);
  });
});

describe("concurrent deliveries", () => {
  test("identical requests at the same moment run the action once; all get the first response", async () => {
    const headers = { "idempotency-key": "burst-1" };
    const replies = await Promise.all(
      Array.from({ length: 6 }, () => deliver(t, hook.token, grant("burst@example.com"), headers)),
    );
    const bodies = await Promise.all(replies.map((r) => r.text()));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(bodies).size).toBe(1);
    expect(replies.filter((r) => r.headers.get("idempotent-replayed") === null)).toHaveLength(1);
    expect(await licensesOf("burst@example.com")).toHaveLength(1);
    await t.smtp.waitFor((m) => m.to.includes("burst@example.com"));
    await Bun.sleep(100);
    expect(t.smtp.messages.filter((m) => m.to.includes("burst@example.com"))).toHaveLength(1);
  });

  test("concurrent identical requests whose first attempt fails all fail cleanly and leave the key free", async () => {
    const headers = { "idempotency-key": "burst-fail" };
    const body = { action: "create-license", userId: "ghost", productId: "p", seats: 1, validUntil: "2031-01-01" };
    const replies = await Promise.all(Array.from({ length: 4 }, () => deliver(t, hook.token, body, headers)));
    expect(replies.map((r) => r.status)).toEqual([404, 404, 404, 404]);
    const rows = await t.deps.db.orm
      .select()
      .from(webhookEvents)
      .where(sql`${webhookEvents.key} LIKE '%burst-fail'`);
    expect(rows).toHaveLength(0);
  });
});

describe("claims", () => {
  test("a delivery still in progress elsewhere answers 409 in_progress after a short wait", async () => {
    let release!: () => void;
    const slow = withIdempotency(t.deps, hook.id, "slow", async () => {
      await new Promise<void>((r) => (release = r));
      throw new Error("gave up");
    });
    const waiting = withIdempotency(t.deps, hook.id, "slow", async () => ({ status: 200, body: {}, replayed: false }), {
      waitMs: 100,
    });
    await expect(waiting).rejects.toMatchObject({ status: 409, code: "in_progress" });
    release();
    await expect(slow).rejects.toThrow("gave up");
  });

  test("a claim abandoned by a crashed process is taken over after a minute", async () => {
    const key = `${hook.id}:crashed`;
    await t.deps.db.write((tx) =>
      tx
        .insert(webhookEvents)
        .values({ key, webhookId: hook.id, status: null, response: "dead-nonce", createdAt: t.clock.now() }),
    );
    t.clock.advance(ABANDONED_AFTER_MS + 1);
    const res = await deliver(t, hook.token, grant("crashed@example.com"), { "idempotency-key": "crashed" });
    expect(res.status).toBe(200);
    const row = await t.deps.db.orm.query.webhookEvents.findFirst({ where: eq(webhookEvents.key, key) });
    expect(row?.status).toBe(200);
    expect(JSON.parse(row?.response ?? "{}")).toEqual(await res.json());
  });
});
