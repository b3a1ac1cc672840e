// Store events do not pile up forever: prune deletes handled ones (applied, ignored) received more
// than STORE_EVENTS_RETENTION ago, and keeps unhandled ones (parked, unmapped, failed) until they
// are handled or a year has passed. Events delivered as Stripe sends them (signed by `stripe`).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { storeEvents } from "../db/schema";
import { loadConfig } from "../src/config";
import { prune } from "../src/maintenance/prune";
import { createTestContext, type TestContext } from "./helpers";
import { createStoreHook, DAY, sendFixture, type StoreHook, T0 } from "./stores-fixtures";
import { signedInUser } from "./webhooks-fixtures";

let t: TestContext;
let hook: StoreHook;

const statuses = async () =>
  (await t.deps.db.orm.select().from(storeEvents).where(eq(storeEvents.webhookId, hook.id)))
    .map((e) => `${e.type} ${e.status}`)
    .sort();

async function send(name: string, status: string) {
  const res = await sendFixture(t, hook, name);
  expect({ name, status: res.status, applied: res.body.response?.status }).toEqual({
    name,
    status: 200,
    applied: status,
  });
}

beforeAll(async () => {
  t = await createTestContext({ env: { STORE_EVENTS_RETENTION: "30d" } });
  t.clock.set(T0);
  hook = await createStoreHook(t, (await signedInUser(t)).token, "stripe");
});
afterAll(() => t.close());

describe("store_events retention", () => {
  test("handled events go after STORE_EVENTS_RETENTION, unhandled ones after a year; a repeat inside it is still a repeat", async () => {
    await send("customer.created", "applied");
    await send("payment_intent.created", "ignored");
    await send("checkout.session.completed.payment.no-metadata", "unmapped");
    const all = await statuses();
    expect(all).toHaveLength(3);

    // Inside the retention: nothing goes, and a repeat answers as the first time.
    t.clock.set(T0 + 30 * DAY - 1000);
    expect((await prune(t.deps)).storeEventsDeleted).toBe(0);
    const repeat = await sendFixture(t, hook, "customer.created");
    expect(repeat.status).toBe(200);
    expect(await statuses()).toEqual(all);

    // Past it: the handled ones go (in batches, two runs at once delete each once); unmapped stays.
    t.clock.set(T0 + 30 * DAY + 1000);
    const runs = await Promise.all([prune(t.deps), prune(t.deps)]);
    expect(runs[0].storeEventsDeleted + runs[1].storeEventsDeleted).toBe(2);
    expect(await statuses()).toEqual(["checkout.session.completed unmapped"]);

    // An unhandled event stays until a year after it came in.
    t.clock.set(T0 + 365 * DAY - 1000);
    expect((await prune(t.deps)).storeEventsDeleted).toBe(0);
    t.clock.set(T0 + 365 * DAY + 1000);
    expect((await prune(t.deps)).storeEventsDeleted).toBe(1);
    expect(await statuses()).toEqual([]);
  });

  test("STORE_EVENTS_RETENTION: 90 days by default, a duration of at least 7 days", () => {
    const base = { NODE_ENV: "test" };
    expect(loadConfig(base).storeEventsRetention).toBe(90 * 86400);
    expect(loadConfig({ ...base, STORE_EVENTS_RETENTION: "400d" }).storeEventsRetention).toBe(400 * 86400);
    for (const bad of ["6d", "0", "forever", "-1d"]) {
      expect(() => loadConfig({ ...base, STORE_EVENTS_RETENTION: bad })).toThrow(/STORE_EVENTS_RETENTION/);
    }
  });
});
