// A purchase of several products grants every mapped product, each its own license (the first keyed
// by the purchase, the others by purchase#product): changes follow each item, an item dropped from a
// subscription ends its license, and an end or refund of the purchase ends them all. Events are the
// stores' fixtures with a second line item, signed as each store signs (the `stripe` SDK for Stripe).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { licenses, type StoreProvider } from "../db/schema";
import { createTestContext, type TestContext } from "./helpers";
import { createStoreHook, fixture, GRACE, sendFixture, sendRaw, type StoreHook, T0 } from "./stores-fixtures";
import { signedInUser } from "./webhooks-fixtures";

let t: TestContext;
let adminToken: string;

const SUB = "sub_1SaPq2LkdIwHu7ixA9d3ZkQe";
const STRIPE_ADDON = "price_1SaPpzLkdIwHu7ixAddon000";
const PADDLE_ADDON = "pri_01kf2zzaaddon0seatkey000000";
const ONE_TIME = "txn_01kf3c0onetime000000000000";

async function hookWithAddon(provider: StoreProvider, addonKey: string): Promise<StoreHook> {
  const hook = await createStoreHook(t, adminToken, provider);
  const res = await t.request("PUT", `/api/webhooks/${hook.id}/products/${addonKey}`, {
    body: { productId: "addon", seatsPerUnit: 2 },
    headers: { authorization: `Bearer ${adminToken}` },
  });
  expect(res.status).toBe(200);
  return hook;
}

async function send(hook: StoreHook, body: string | string[], outcome = "applied") {
  for (const one of Array.isArray(body) ? body : [body]) {
    const res = one.startsWith("{") ? await sendRaw(t, hook, one) : await sendFixture(t, hook, one);
    expect({ status: res.status, outcome: res.body.response?.status }).toEqual({ status: 200, outcome });
  }
}

async function licensesOf(provider: StoreProvider) {
  const rows = await t.deps.db.orm.select().from(licenses).where(eq(licenses.provider, provider));
  return rows
    .map(({ externalRef, productId, seats, validUntil, userId }) => ({
      externalRef,
      productId,
      seats,
      validUntil,
      userId,
    }))
    .sort((a, b) => String(a.externalRef).localeCompare(String(b.externalRef)));
}

/** Stripe's subscription event with the add-on as a second item of `addonQuantity` (none: dropped). */
function stripeSubscription(type: string, id: string, createdS: number, addonQuantity: number | null): string {
  const event = JSON.parse(fixture("stripe", "customer.subscription.created"));
  const items = event.data.object.items.data;
  const [pro] = items;
  if (addonQuantity !== null) {
    const price = { ...pro.price, id: STRIPE_ADDON, product: "prod_TfA2Addon", nickname: "Add-on" };
    items.push({
      ...pro,
      id: "si_TfA2Item1Addon",
      price,
      plan: { ...pro.plan, id: STRIPE_ADDON },
      quantity: addonQuantity,
    });
  }
  return JSON.stringify({ ...event, id, type, created: createdS });
}

beforeAll(async () => {
  t = await createTestContext();
  adminToken = (await signedInUser(t)).token;
});
afterAll(() => t.close());

describe("a purchase of several products", () => {
  test("Stripe: a subscription with two prices grants both; the add-on follows its item, ends when dropped, and the end ends all", async () => {
    t.clock.set(T0 + 60_000);
    const hook = await hookWithAddon("stripe", STRIPE_ADDON);
    const created = JSON.parse(fixture("stripe", "customer.subscription.created")).created as number;
    await send(hook, [
      "customer.created",
      stripeSubscription("customer.subscription.created", "evt_multi_1", created, 2),
    ]);
    const [pro, addon] = await licensesOf("stripe");
    const periodEnd = 1770717606_000 + GRACE;
    expect(pro).toMatchObject({ externalRef: SUB, productId: "pro", seats: 3, validUntil: periodEnd });
    expect(addon).toMatchObject({ externalRef: `${SUB}#addon`, productId: "addon", seats: 4, validUntil: periodEnd });
    expect(addon!.userId).toBe(pro!.userId);

    // The add-on's quantity changes: only its license follows. Then it is dropped: its license ends then.
    await send(hook, stripeSubscription("customer.subscription.updated", "evt_multi_2", created + 3600, 1));
    expect((await licensesOf("stripe")).map((l) => [l.productId, l.seats])).toEqual([
      ["pro", 3],
      ["addon", 2],
    ]);
    await send(hook, stripeSubscription("customer.subscription.updated", "evt_multi_3", created + 7200, null));
    const [kept, dropped] = await licensesOf("stripe");
    expect(kept).toMatchObject({ productId: "pro", seats: 3, validUntil: periodEnd });
    expect(dropped).toMatchObject({ productId: "addon", validUntil: (created + 7200) * 1000 });

    // An older event (the add-on at 2) arriving late changes nothing.
    await send(hook, stripeSubscription("customer.subscription.updated", "evt_multi_late", created + 1800, 2));
    expect((await licensesOf("stripe"))[1]).toMatchObject({ validUntil: (created + 7200) * 1000 });

    t.clock.set(Date.UTC(2026, 2, 11));
    await send(hook, "customer.subscription.deleted");
    for (const license of await licensesOf("stripe")) expect(license.validUntil).toBeLessThanOrEqual(t.clock.now());
  });

  test("Paddle: a one-time transaction with two items grants both; its refund ends both", async () => {
    t.clock.set(T0 + 60_000);
    const hook = await hookWithAddon("paddle", PADDLE_ADDON);
    const event = JSON.parse(fixture("paddle", "transaction.completed.one-time"));
    const [lifetime] = event.data.items;
    const price = { ...lifetime.price, id: PADDLE_ADDON, product_id: "pro_01kf2zzaaddonproduct000000" };
    event.data.items.push({ ...lifetime, price, quantity: 3 });
    t.clock.set(Date.parse(event.occurred_at) + 1000);
    await send(hook, ["customer.created", JSON.stringify(event)]);
    const bought = await licensesOf("paddle");
    expect(bought.map((l) => [l.externalRef, l.productId, l.seats])).toEqual([
      [ONE_TIME, "lifetime", 2],
      [`${ONE_TIME}#addon`, "addon", 6],
    ]);
    expect(bought[1]!.validUntil).toBeGreaterThan(t.clock.now());

    t.clock.set(Date.UTC(2026, 0, 13, 11));
    await send(hook, "adjustment.created.refund-pending", "ignored"); // not approved yet
    expect((await licensesOf("paddle"))[1]!.validUntil).toBeGreaterThan(t.clock.now());
    await send(hook, "adjustment.updated.refund-approved");
    const refunded = await licensesOf("paddle");
    expect(refunded).toHaveLength(2);
    for (const license of refunded) expect(license.validUntil).toBeLessThanOrEqual(t.clock.now());
  });
});
