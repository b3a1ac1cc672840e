// Store endpoints over HTTP: creation per provider, one signature scheme each, hostile deliveries
// refused with nothing stored, repeats answered as the first time, unmapped events re-applied after
// the product map is fixed, parked events applied when their customer arrives, failures visible.
import { afterAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import type { StoreProvider } from "../db/schema";
import { createTestContext } from "./helpers";
import {
  createStoreHook,
  fixture,
  lemonSignature,
  paddleSignature,
  SECRETS,
  sendFixture,
  sendRaw,
  storeHeaders,
  stripeSignature,
  type StoreHook,
} from "./stores-fixtures";
import { signedInUser } from "./webhooks-fixtures";

const t = await createTestContext();
const admin = await signedInUser(t);
const auth = { authorization: `Bearer ${admin.token}` };
afterAll(() => t.close());
t.clock.set(Date.UTC(2026, 0, 10, 10, 5, 0));

const count = async (table: string) =>
  Number((await t.deps.db.orm.all<{ n: number }>(sql.raw(`SELECT count(*) AS n FROM ${table}`)))[0]?.n);
const state = async () => ({
  events: await count("store_events"),
  licenses: await count("licenses"),
  users: await count("users"),
  customers: await count("store_customers"),
});

async function events(hook: StoreHook, status?: string) {
  const res = await t.request("GET", `/api/webhooks/${hook.id}/events${status ? `?status=${status}` : ""}`, {
    headers: auth,
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { events: { id: string; type: string; status: string; error: string | null }[] })
    .events;
}

const hooks = {} as Record<StoreProvider, StoreHook>;
for (const provider of ["stripe", "lemonsqueezy", "paddle", "gumroad"] as const) {
  hooks[provider] = await createStoreHook(t, admin.token, provider);
}

describe("creating a store endpoint", () => {
  test("the answer names the provider and the URL to paste, with the token in it", async () => {
    const res = await t.request("POST", "/api/webhooks/create", {
      body: { name: "Paddle live", provider: "paddle", signingSecret: SECRETS.paddle },
      headers: auth,
    });
    expect(res.status).toBe(201);
    const hook = (await res.json()) as StoreHook & { name: string };
    expect(hook).toMatchObject({ name: "Paddle live", provider: "paddle" });
    expect(hook.url).toBe(`http://localhost:3000/api/webhooks?token=${hook.token}`);
    const seatkey = await t.request("POST", "/api/webhooks/create", { body: { name: "own" }, headers: auth });
    expect(await seatkey.json()).toMatchObject({ provider: "seatkey", url: "http://localhost:3000/api/webhooks" });
  });

  test("a signing store needs its secret; Gumroad takes none; an unknown provider is refused", async () => {
    const create = (body: Record<string, unknown>) =>
      t.request("POST", "/api/webhooks/create", { body, headers: auth });
    for (const provider of ["stripe", "lemonsqueezy", "paddle"]) {
      const res = await create({ name: "x", provider });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "invalid_input", field: "signingSecret" });
    }
    expect((await create({ name: "x", provider: "gumroad", signingSecret: "secret-123" })).status).toBe(400);
    expect((await create({ name: "x", provider: "shopify" })).status).toBeOneOf([400, 422]);
  });

  test("the product map: set, list, replace, remove; only admins; 404 for a seatkey endpoint", async () => {
    const hook = hooks.stripe;
    const put = (id: string, body: unknown, headers = auth) =>
      t.request("PUT", `/api/webhooks/${hook.id}/products/${id}`, { body, headers });
    expect((await put("price_extra", { productId: "extra", seatsPerUnit: 5, termDays: 30 })).status).toBe(200);
    expect((await put("price_extra", { productId: "extra", seatsPerUnit: 2 })).status).toBe(200);
    const list = await t.request("GET", `/api/webhooks/${hook.id}/products`, { headers: auth });
    const { products } = (await list.json()) as {
      products: { externalId: string; seatsPerUnit: number; termDays: number | null }[];
    };
    expect(products.find((p) => p.externalId === "price_extra")).toMatchObject({ seatsPerUnit: 2, termDays: null });
    expect((await put("price_bad", { productId: "x", seatsPerUnit: 0 })).status).toBeOneOf([400, 422]);
    const owner = await signedInUser(t, "OWNER");
    expect((await put("price_extra", { productId: "x" }, { authorization: `Bearer ${owner.token}` })).status).toBe(403);
    expect((await t.request("DELETE", `/api/webhooks/${hook.id}/products/price_extra`, { headers: auth })).status).toBe(
      204,
    );
    expect((await t.request("DELETE", `/api/webhooks/${hook.id}/products/price_extra`, { headers: auth })).status).toBe(
      404,
    );
    const own = (await (
      await t.request("POST", "/api/webhooks/create", { body: { name: "own" }, headers: auth })
    ).json()) as StoreHook;
    expect((await t.request("GET", `/api/webhooks/${own.id}/products`, { headers: auth })).status).toBe(404);
  });
});

describe("hostile deliveries: refused, nothing stored", () => {
  const body = fixture("stripe", "customer.created");
  const refused = async (hook: StoreHook, raw: string, headers: Record<string, string>, status: number) => {
    const before = await state();
    const res = await sendRaw(t, hook, raw, { "content-type": "application/json", ...headers });
    expect({ status: res.status, code: res.body.code }).toMatchObject({ status });
    expect(await state()).toEqual(before);
    return res.body;
  };

  test("another scheme's header on a Stripe endpoint (a valid X-Signature, no timestamp) is 401", async () => {
    const answer = await refused(hooks.stripe, body, { "x-signature": lemonSignature(body, SECRETS.stripe) }, 401);
    expect(answer.code).toBe("invalid_signature");
    expect(answer.error).toContain("Stripe-Signature");
  });

  test("stale and future timestamps, a tampered body, no signature: 401", async () => {
    const now = t.clock.now();
    await refused(hooks.stripe, body, { "stripe-signature": await stripeSignature(body, now - 301_000) }, 401);
    await refused(hooks.stripe, body, { "stripe-signature": await stripeSignature(body, now + 60_000) }, 401);
    await refused(
      hooks.stripe,
      body.replace("ann@", "eve@"),
      { "stripe-signature": await stripeSignature(body, now) },
      401,
    );
    await refused(hooks.paddle, body, {}, 401);
    await refused(hooks.lemonsqueezy, body, { "x-signature": "" }, 401);
  });

  test("an endpoint of one store fed another store's events: 400, nothing stored", async () => {
    const lemon = fixture("lemonsqueezy", "order_created");
    const answer = await refused(
      hooks.paddle,
      lemon,
      { "paddle-signature": paddleSignature(lemon, t.clock.now()) },
      400,
    );
    expect(answer.code).toBe("invalid_event");
    const stripe = fixture("stripe", "invoice.paid.first");
    await refused(hooks.lemonsqueezy, stripe, { "x-signature": lemonSignature(stripe) }, 400);
    await refused(hooks.gumroad, stripe, {}, 400);
  });

  test("Gumroad is authenticated by its URL token only: none or a wrong one is 401", async () => {
    const ping = fixture("gumroad", "sale");
    const before = await state();
    for (const path of ["/api/webhooks", "/api/webhooks?token=wrong"]) {
      const res = await t.request("POST", path, {
        body: ping,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(res.status).toBe(401);
    }
    expect(await state()).toEqual(before);
  });

  test("a 1 MB body is refused before it is read", async () => {
    const huge = JSON.stringify({ id: "evt_x", type: "customer.created", pad: "x".repeat(1024 * 1024) });
    await refused(hooks.stripe, huge, { "stripe-signature": await stripeSignature(huge, t.clock.now()) }, 413);
  });
});

describe("the store-event log", () => {
  test("an unknown event type is acknowledged and recorded as ignored", async () => {
    const res = await sendFixture(t, hooks.stripe, "payment_intent.created");
    expect(res.status).toBe(200);
    expect(res.body.response).toMatchObject({
      status: "ignored",
      note: "seatkey does not act on payment_intent.created",
    });
    expect((await events(hooks.stripe, "ignored")).map((e) => e.type)).toContain("payment_intent.created");
  });

  test("a repeated event answers as the first time and changes nothing", async () => {
    const first = await sendFixture(t, hooks.lemonsqueezy, "order_created");
    expect(first.body.response?.status).toBe("applied");
    const before = await state();
    const raw = fixture("lemonsqueezy", "order_created");
    const res = await t.request(
      "POST",
      new URL(hooks.lemonsqueezy.url).pathname + new URL(hooks.lemonsqueezy.url).search,
      {
        body: raw,
        headers: await storeHeaders("lemonsqueezy", raw, t.clock.now()),
      },
    );
    expect(res.headers.get("idempotent-replayed")).toBe("true");
    expect(await res.json()).toEqual(first.body);
    expect(await state()).toEqual(before);
  });

  test("copies of one event racing each other create one license, one user and one mail", async () => {
    const before = await state();
    const mails = Number((await t.deps.db.orm.all<{ n: number }>(sql`SELECT count(*) AS n FROM mail_outbox`))[0]?.n);
    const ping = fixture("gumroad", "sale.ping-classic").replace("ann%40example.com", "cy%40example.com");
    const answers = await Promise.all(Array.from({ length: 5 }, () => sendRaw(t, hooks.gumroad, ping)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.body.response?.eventId)).size).toBe(1);
    expect(await state()).toEqual({
      events: before.events + 1,
      licenses: before.licenses + 1,
      users: before.users + 1,
      customers: before.customers + 1,
    });
    const after = Number((await t.deps.db.orm.all<{ n: number }>(sql`SELECT count(*) AS n FROM mail_outbox`))[0]?.n);
    expect(after).toBe(mails + 1);
  });

  test("an unmapped purchase is kept as unmapped, then applied by a re-apply once the map names it", async () => {
    const res = await sendFixture(t, hooks.stripe, "checkout.session.completed.payment.no-metadata");
    expect(res.body.response).toMatchObject({ status: "unmapped" });
    const paid = fixture("stripe", "checkout.session.completed.payment").replace(
      '"seatkey_price": "price_1SaPr0LkdIwHu7ixLifetime"',
      '"seatkey_price": "price_unknown"',
    );
    const unmapped = await sendRaw(t, hooks.stripe, paid.replace("evt_1SaPq10", "evt_1SaPq99"));
    expect(unmapped.body.response).toMatchObject({
      status: "unmapped",
      note: "no product map entry for price_unknown",
    });
    const eventId = unmapped.body.response!.eventId;
    expect((await events(hooks.stripe, "unmapped")).map((e) => e.id)).toContain(eventId);
    await t.request("PUT", `/api/webhooks/${hooks.stripe.id}/products/price_unknown`, {
      body: { productId: "addon" },
      headers: auth,
    });
    const replay = await t.request("POST", `/api/webhooks/${hooks.stripe.id}/events/${eventId}/replay`, {
      headers: auth,
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ event: { id: eventId, status: "applied" } });
    const again = await t.request("POST", `/api/webhooks/${hooks.paddle.id}/events/${eventId}/replay`, {
      headers: auth,
    });
    expect(again.status).toBe(404);
  });

  test("a subscription for a customer not yet known is parked, and applied when the customer arrives", async () => {
    const parked = await sendFixture(t, hooks.paddle, "subscription.created");
    expect(parked.body.response).toMatchObject({ status: "parked" });
    expect((await events(hooks.paddle, "parked")).map((e) => e.type)).toEqual(["subscription.created"]);
    const before = await count("licenses");
    expect((await sendFixture(t, hooks.paddle, "customer.created")).body.response?.status).toBe("applied");
    expect(await count("licenses")).toBe(before + 1);
    expect(await events(hooks.paddle, "parked")).toEqual([]);
  });

  test("a failed apply answers 500 so the store retries, and is listed as failed", async () => {
    const raw = fixture("stripe", "checkout.session.completed.payment")
      .replaceAll("bo@example.com", "not an email")
      .replace("evt_1SaPq10", "evt_1SaPq98")
      .replace("pi_3SaPr0LkdIwHu7ix0OneTime", "pi_3SaPr0LkdIwHu7ix0Broken1");
    const res = await sendRaw(t, hooks.stripe, raw);
    expect(res.status).toBe(500);
    expect(res.body.code).toBe("store_event_failed");
    const failed = await events(hooks.stripe, "failed");
    expect(failed[0]).toMatchObject({ type: "checkout.session.completed", status: "failed" });
    expect(failed[0]!.error).toContain("invalid_email");
    // The store's retry runs it again (and fails again, visibly).
    expect((await sendRaw(t, hooks.stripe, raw)).status).toBe(500);
  });
});
