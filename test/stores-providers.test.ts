// Store providers, without a server: each store's signature scheme (made by the stores' own code
// where it exists) and each native event normalized to what it means for a license.
import { describe, expect, test } from "bun:test";
import { Paddle } from "@paddle/paddle-node-sdk";
import { AppError } from "../src/errors";
import type { StoreChange, StoreEvent } from "../src/stores/event";
import { STORES } from "../src/stores/providers";
import { fixture, lemonSignature, paddleSignature, SECRETS, stripeClient, stripeSignature } from "./stores-fixtures";

const NOW = Date.UTC(2026, 0, 10, 10, 0, 0);
const DAY = 86_400_000;

function refusal(fn: () => unknown): { status: number; code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return { status: error.status, code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected a refusal");
}

const headers = (h: Record<string, string>) => new Headers(h);
const parse = (provider: keyof typeof STORES, name: string): StoreEvent =>
  STORES[provider].parse(fixture(provider, name), new Headers());
const changeOf = (provider: keyof typeof STORES, name: string): StoreChange => parse(provider, name).change;

describe("Stripe signatures (Stripe-Signature, made by the stripe package)", () => {
  const body = fixture("stripe", "customer.subscription.created");
  const verify = (h: Record<string, string>, raw = body, now = NOW) =>
    STORES.stripe.verify(SECRETS.stripe, headers(h), raw, now);

  test("a header from stripe's generateTestHeaderString verifies, and stripe's constructEvent accepts the fixture", async () => {
    const signature = await stripeSignature(body, NOW);
    expect(() => verify({ "stripe-signature": signature })).not.toThrow();
    const event = await stripeClient.webhooks.constructEventAsync(
      body,
      signature,
      SECRETS.stripe,
      300,
      undefined,
      NOW / 1000,
    );
    expect(event.type).toBe("customer.subscription.created");
  });

  test("any v1 may match (Stripe sends one per secret while a secret is rolled)", async () => {
    const good = (await stripeSignature(body, NOW)).split(",").find((p) => p.startsWith("v1="));
    expect(() =>
      verify({ "stripe-signature": `t=${NOW / 1000},v1=${"0".repeat(64)},${good},v0=ignored` }),
    ).not.toThrow();
  });

  test("tampered body, wrong secret, stale or future timestamp, malformed header: 401 invalid_signature", async () => {
    const signature = await stripeSignature(body, NOW);
    const [other, stale, future] = await Promise.all([
      stripeSignature(body, NOW, "whsec_other"),
      stripeSignature(body, NOW - 301_000),
      stripeSignature(body, NOW + 31_000),
    ]);
    const cases = [
      () => verify({ "stripe-signature": signature }, body.replace("cus_", "cux_")),
      () => verify({ "stripe-signature": other }),
      () => verify({ "stripe-signature": stale }),
      () => verify({ "stripe-signature": future }),
      () => verify({ "stripe-signature": "garbage" }),
      () => verify({ "stripe-signature": `t=${NOW / 1000}` }),
      () => verify({ "stripe-signature": `t=abc,v1=${"a".repeat(64)}` }),
    ];
    for (const attempt of cases) expect(refusal(attempt)).toMatchObject({ status: 401, code: "invalid_signature" });
    // Within tolerance: 299 s old, 29 s ahead.
    expect(() => verify({ "stripe-signature": stale.replace(/t=\d+/, "") })).toThrow();
    const [old, ahead] = await Promise.all([stripeSignature(body, NOW - 299_000), stripeSignature(body, NOW + 29_000)]);
    expect(() => verify({ "stripe-signature": old })).not.toThrow();
    expect(() => verify({ "stripe-signature": ahead })).not.toThrow();
  });

  test("another scheme's header is refused, even when valid for that scheme", () => {
    const lemon = { "x-signature": lemonSignature(body, SECRETS.stripe) };
    expect(refusal(() => verify(lemon)).message).toContain("Stripe-Signature");
    const paddleStyle = { "paddle-signature": paddleSignature(body, NOW, SECRETS.stripe) };
    expect(refusal(() => verify(paddleStyle)).code).toBe("invalid_signature");
  });
});

describe("Lemon Squeezy signatures (X-Signature, hex HMAC of the raw body)", () => {
  const body = fixture("lemonsqueezy", "order_created");
  const verify = (h: Record<string, string>, raw = body) =>
    STORES.lemonsqueezy.verify(SECRETS.lemonsqueezy, headers(h), raw, NOW);

  test("the HMAC of the exact body verifies (upper-case hex too)", () => {
    expect(() => verify({ "x-signature": lemonSignature(body) })).not.toThrow();
    expect(() => verify({ "x-signature": lemonSignature(body).toUpperCase() })).not.toThrow();
  });

  test("tampered body, wrong secret, truncated signature, Stripe's header: refused", async () => {
    expect(refusal(() => verify({ "x-signature": lemonSignature(body) }, `${body} `)).status).toBe(401);
    expect(refusal(() => verify({ "x-signature": lemonSignature(body, "wrong-secret") })).status).toBe(401);
    expect(refusal(() => verify({ "x-signature": lemonSignature(body).slice(0, 32) })).status).toBe(401);
    const stripeStyle = { "stripe-signature": await stripeSignature(body, NOW, SECRETS.lemonsqueezy) };
    expect(refusal(() => verify(stripeStyle)).message).toContain("X-Signature");
  });
});

describe("Paddle signatures (Paddle-Signature: ts=…;h1=…)", () => {
  const body = fixture("paddle", "subscription.created");

  test("a signature Paddle's own SDK accepts verifies here too", async () => {
    const now = Date.now(); // the SDK checks against the real clock
    const signature = paddleSignature(body, now);
    const event = await new Paddle("pdl_sdbx_apikey_unused").webhooks.unmarshal(body, SECRETS.paddle, signature);
    expect(String(event.eventType)).toBe("subscription.created");
    expect(() =>
      STORES.paddle.verify(SECRETS.paddle, headers({ "paddle-signature": signature }), body, now),
    ).not.toThrow();
  });

  test("tampered, wrong secret, stale, future, malformed, Stripe-style: refused", async () => {
    const verify = (signature: string, raw = body) =>
      STORES.paddle.verify(SECRETS.paddle, headers({ "paddle-signature": signature }), raw, NOW);
    const good = paddleSignature(body, NOW);
    expect(await new Paddle("pdl_sdbx_apikey_unused").webhooks.isSignatureValid(`${body} `, SECRETS.paddle, good)).toBe(
      false,
    );
    for (const attempt of [
      () => verify(good, `${body} `),
      () => verify(paddleSignature(body, NOW, "pdl_ntfset_other")),
      () => verify(paddleSignature(body, NOW - 301_000)),
      () => verify(paddleSignature(body, NOW + 31_000)),
      () => verify("ts=;h1="),
      () => verify(good.replace(";", ",")),
    ]) {
      expect(refusal(attempt)).toMatchObject({ status: 401, code: "invalid_signature" });
    }
    const stripeStyle = headers({ "stripe-signature": await stripeSignature(body, NOW, SECRETS.paddle) });
    expect(refusal(() => STORES.paddle.verify(SECRETS.paddle, stripeStyle, body, NOW)).message).toContain(
      "Paddle-Signature",
    );
  });
});

describe("Stripe events, normalized", () => {
  test("customer.created/updated say who the customer is", () => {
    expect(changeOf("stripe", "customer.created")).toEqual({
      kind: "customer",
      customer: { id: "cus_TfA2kWq9Lm3xZp", email: "ann@example.com", name: "Ann Lee" },
    });
    expect(changeOf("stripe", "customer.updated")).toMatchObject({
      kind: "customer",
      customer: { name: "Ann Lee-Smith" },
    });
  });

  test("a subscription: items by price (then product), quantity, period end from the item, Unix seconds → ms", () => {
    const event = parse("stripe", "customer.subscription.created");
    expect(event).toMatchObject({
      provider: "stripe",
      key: expect.stringMatching(/^evt_/),
      type: "customer.subscription.created",
    });
    expect(event.occurredAt).toBe(1768039206_000);
    expect(event.change).toEqual({
      kind: "license",
      reason: "purchase",
      ref: "sub_1SaPq2LkdIwHu7ixA9d3ZkQe",
      customer: { id: "cus_TfA2kWq9Lm3xZp", email: null, name: null },
      items: [{ keys: ["price_1SaPpzLkdIwHu7ixPro0Seat", "prod_TfA2Seatkey0Pro"], quantity: 3 }],
      paidUntil: (1768039206 + 31 * 86400) * 1000,
      endsAt: null,
      aliases: [],
    });
  });

  test("quantity change, cancel at period end, deletion", () => {
    expect(changeOf("stripe", "customer.subscription.updated.quantity")).toMatchObject({
      reason: "update",
      items: [{ quantity: 1 }],
      endsAt: null,
    });
    const cancel = changeOf("stripe", "customer.subscription.updated.cancel");
    expect(cancel).toMatchObject({ kind: "license", reason: "cancel_at_period_end" });
    if (cancel.kind !== "license") throw new Error("license expected");
    expect(cancel.endsAt).toBe(cancel.paidUntil);
    expect(changeOf("stripe", "customer.subscription.deleted")).toMatchObject({
      kind: "end",
      reason: "expiry",
      refs: ["sub_1SaPq2LkdIwHu7ixA9d3ZkQe"],
    });
  });

  test("invoice.paid renews the subscription it names (current API: under parent), up to the line's period end", () => {
    const change = changeOf("stripe", "invoice.paid.renewal");
    expect(change).toMatchObject({
      kind: "license",
      reason: "renewal",
      ref: "sub_1SaPq2LkdIwHu7ixA9d3ZkQe",
      customer: { email: "ann@example.com", name: "Ann Lee" },
      items: [{ keys: ["price_1SaPpzLkdIwHu7ixPro0Seat", "prod_TfA2Seatkey0Pro"], quantity: 3 }],
      aliases: ["in_1SaPq3LkdIwHu7ixRenew02"],
    });
    expect(changeOf("stripe", "invoice.paid.first")).toMatchObject({ reason: "purchase" });
  });

  test("checkout: a subscription checkout names the customer; a one-time one is a purchase mapped by metadata, else fetched", () => {
    expect(changeOf("stripe", "checkout.session.completed.subscription")).toEqual({
      kind: "customer",
      customer: { id: "cus_TfA2kWq9Lm3xZp", email: "ann@example.com", name: "Ann Lee" },
    });
    expect(changeOf("stripe", "checkout.session.completed.payment")).toMatchObject({
      kind: "license",
      reason: "purchase",
      ref: "pi_3SaPr0LkdIwHu7ix0OneTime",
      customer: { id: null, email: "bo@example.com", name: "Bo Berg" },
      items: [{ keys: ["price_1SaPr0LkdIwHu7ixLifetime"], quantity: 2 }],
      paidUntil: null,
      aliases: ["cs_test_b1SaPr0LkdIwHu7ixOneTime"],
    });
    expect(changeOf("stripe", "checkout.session.completed.payment.no-metadata")).toMatchObject({ items: "fetch" });
  });

  test("a full refund and a dispute end the purchase at once; a partial refund and other events are ignored", () => {
    const refunded = parse("stripe", "charge.refunded");
    expect(refunded.change).toEqual({
      kind: "end",
      reason: "refund",
      refs: ["pi_3SaPr0LkdIwHu7ix0OneTime", "ch_3SaPr0LkdIwHu7ix0OneTime"],
      at: refunded.occurredAt,
    });
    expect(changeOf("stripe", "charge.dispute.created")).toMatchObject({ kind: "end", reason: "chargeback" });
    expect(changeOf("stripe", "charge.refunded.partial")).toMatchObject({ kind: "ignored" });
    expect(changeOf("stripe", "payment_intent.created")).toEqual({
      kind: "ignored",
      reason: "seatkey does not act on payment_intent.created",
    });
  });

  test("not a Stripe event: 400 naming the field", () => {
    const bad = (raw: string) => refusal(() => STORES.stripe.parse(raw, new Headers()));
    expect(bad("not json")).toMatchObject({ status: 400, code: "invalid_body" });
    expect(bad("[]")).toMatchObject({ status: 400, code: "invalid_event" });
    expect(bad(JSON.stringify({ id: "evt_1", type: "customer.created", created: 1 }))).toMatchObject({
      code: "invalid_event",
    });
    expect(
      bad(JSON.stringify({ id: "evt_1", type: "x", created: "yesterday", data: { object: {} } })).message,
    ).toContain("created");
    const lemon = fixture("lemonsqueezy", "order_created");
    expect(bad(lemon)).toMatchObject({ status: 400 });
  });
});

describe("Lemon Squeezy events, normalized", () => {
  test("order and subscription share one license, keyed by the order id; the order never overrides", () => {
    expect(changeOf("lemonsqueezy", "order_created")).toMatchObject({
      kind: "license",
      ref: "4120731",
      createOnly: true,
      customer: { id: "3391856", email: "ann@example.com", name: "Ann Lee" },
      items: [{ keys: ["571203", "403117"], quantity: 3 }],
      paidUntil: null,
    });
    expect(changeOf("lemonsqueezy", "subscription_created")).toMatchObject({
      kind: "license",
      reason: "purchase",
      ref: "4120731",
      paidUntil: Date.parse("2026-02-10T10:00:00Z"),
      endsAt: null,
    });
  });

  test("no event id: the key is derived from name, object, update time and body", () => {
    const a = parse("lemonsqueezy", "subscription_updated.renewal");
    const b = parse("lemonsqueezy", "subscription_updated.quantity");
    expect(a.key).toStartWith(`subscription_updated:982214:${a.occurredAt}:`);
    expect(a.key).not.toBe(b.key);
    expect(parse("lemonsqueezy", "subscription_updated.renewal").key).toBe(a.key);
  });

  test("renewal, quantity, cancel, pause, resume, expiry, refund", () => {
    expect(changeOf("lemonsqueezy", "subscription_updated.renewal")).toMatchObject({
      paidUntil: Date.parse("2026-03-10T10:00:00Z"),
    });
    expect(changeOf("lemonsqueezy", "subscription_updated.quantity")).toMatchObject({ items: [{ quantity: 1 }] });
    expect(changeOf("lemonsqueezy", "subscription_cancelled")).toMatchObject({
      reason: "cancel_at_period_end",
      endsAt: Date.parse("2026-03-10T10:00:00Z"),
    });
    expect(changeOf("lemonsqueezy", "subscription_paused")).toMatchObject({ kind: "end", reason: "pause" });
    for (const name of ["subscription_resumed", "subscription_unpaused"]) {
      expect(changeOf("lemonsqueezy", name)).toMatchObject({ kind: "license", endsAt: null });
    }
    expect(changeOf("lemonsqueezy", "subscription_expired")).toMatchObject({
      kind: "end",
      reason: "expiry",
      refs: ["4120731"],
      at: Date.parse("2026-03-10T10:00:00Z"),
    });
    expect(changeOf("lemonsqueezy", "order_refunded")).toMatchObject({
      kind: "end",
      reason: "refund",
      refs: ["4120731"],
    });
    expect(changeOf("lemonsqueezy", "subscription_payment_success")).toMatchObject({ kind: "ignored" });
    expect(changeOf("lemonsqueezy", "license_key_created")).toMatchObject({ kind: "ignored" });
  });
});

describe("Paddle events, normalized", () => {
  test("customers, the first transaction and the subscription", () => {
    expect(changeOf("paddle", "customer.created")).toEqual({
      kind: "customer",
      customer: { id: "ctm_01kf3a9q8zr2w6m4x7c5n1b0ty", email: "ann@example.com", name: "Ann Lee" },
    });
    const sub = "sub_01kf3aa1mz8w5q3v7r2n6c4x9d";
    expect(changeOf("paddle", "transaction.completed")).toMatchObject({
      kind: "license",
      reason: "purchase",
      ref: sub,
      items: [{ keys: ["pri_01kf2zx8sawmvhz1pv30seatpr", "pro_01kf2zw5hdjse780zja8seatkp"], quantity: 3 }],
      paidUntil: Date.parse("2026-02-10T10:00:00Z"),
      aliases: ["txn_01kf3a9vb7k2m5q8w1x4z6c3n0"],
    });
    expect(changeOf("paddle", "subscription.created")).toMatchObject({
      kind: "license",
      ref: sub,
      customer: { id: "ctm_01kf3a9q8zr2w6m4x7c5n1b0ty", email: null },
      aliases: ["txn_01kf3a9vb7k2m5q8w1x4z6c3n0"],
    });
    expect(parse("paddle", "subscription.created").key).toBe("evt_01kf3b03jy5hpdv5x8tfsaxje4");
  });

  test("renewal, quantity, scheduled cancel, pause, cancel; a one-time transaction keys by itself", () => {
    expect(changeOf("paddle", "transaction.completed.renewal")).toMatchObject({
      reason: "renewal",
      paidUntil: Date.parse("2026-03-10T10:00:00Z"),
    });
    expect(changeOf("paddle", "subscription.updated.quantity")).toMatchObject({ items: [{ quantity: 1 }] });
    expect(changeOf("paddle", "subscription.updated.cancel")).toMatchObject({
      reason: "cancel_at_period_end",
      endsAt: Date.parse("2026-03-10T10:00:00Z"),
    });
    expect(changeOf("paddle", "subscription.past_due")).toMatchObject({ kind: "license" });
    expect(changeOf("paddle", "subscription.paused")).toMatchObject({ kind: "end", reason: "pause" });
    expect(changeOf("paddle", "subscription.canceled")).toMatchObject({ kind: "end", reason: "expiry" });
    expect(changeOf("paddle", "transaction.completed.one-time")).toMatchObject({
      ref: "txn_01kf3c0onetime000000000000",
      paidUntil: null,
      items: [{ quantity: 2 }],
    });
  });

  test("adjustments: an approved full refund and a chargeback end; pending or partial refunds do not", () => {
    expect(changeOf("paddle", "adjustment.updated.refund-approved")).toMatchObject({
      kind: "end",
      reason: "refund",
      refs: ["txn_01kf3c0onetime000000000000"],
    });
    expect(changeOf("paddle", "adjustment.created.chargeback")).toMatchObject({ kind: "end", reason: "chargeback" });
    expect(changeOf("paddle", "adjustment.created.refund-pending")).toMatchObject({ kind: "ignored" });
    expect(changeOf("paddle", "adjustment.created.refund-partial")).toMatchObject({ kind: "ignored" });
    expect(changeOf("paddle", "address.created")).toMatchObject({ kind: "ignored" });
  });
});

describe("Gumroad pings, normalized", () => {
  test("a membership sale: keyed by the subscription, one recurrence paid, mapped by product id or permalink", () => {
    const event = parse("gumroad", "sale");
    expect(event.type).toBe("sale");
    expect(event.change).toEqual({
      kind: "license",
      reason: "purchase",
      ref: "Hg2Fe4Dc6Ba8Zy0Xw1Vu3Ts==",
      customer: { id: "8734019273645", email: "ann@example.com", name: "Ann Lee" },
      items: [
        { keys: ["Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk==", "https://seller.gumroad.com/l/seatkey-pro", "seatkey-pro"], quantity: 3 },
      ],
      paidUntil: Date.parse("2026-02-10T10:00:00Z"),
      endsAt: null,
      aliases: ["QwErTy1234567890AbCdEf=="],
    });
    expect(changeOf("gumroad", "sale.renewal")).toMatchObject({
      reason: "renewal",
      paidUntil: Date.parse("2026-03-10T10:00:00Z"),
    });
  });

  test("a classic ping without resource_name is a sale; a one-time product keys by the sale", () => {
    expect(changeOf("gumroad", "sale.ping-classic")).toMatchObject({
      kind: "license",
      ref: "ZzYyXxWw0011223344556677==",
      paidUntil: null,
      items: [{ quantity: 2 }],
    });
  });

  test("refund and dispute end at once, cancellation at its date, ended ends; restart renews; the rest is ignored", () => {
    expect(changeOf("gumroad", "refund")).toMatchObject({
      kind: "end",
      reason: "refund",
      refs: ["Hg2Fe4Dc6Ba8Zy0Xw1Vu3Ts==", "AsDfGh0987654321ZxCvBn=="],
    });
    expect(changeOf("gumroad", "dispute")).toMatchObject({ kind: "end", reason: "chargeback" });
    expect(changeOf("gumroad", "cancellation")).toMatchObject({
      kind: "end",
      reason: "cancel",
      at: Date.parse("2026-03-10T10:00:00Z"),
    });
    expect(parse("gumroad", "cancellation").occurredAt).toBe(Date.parse("2026-02-14T12:00:00Z"));
    expect(changeOf("gumroad", "subscription_ended")).toMatchObject({ kind: "end", reason: "expiry" });
    expect(changeOf("gumroad", "subscription_restarted")).toMatchObject({
      kind: "license",
      items: null,
      paidUntil: Date.parse("2026-04-12T10:00:00Z"),
    });
    expect(changeOf("gumroad", "dispute_won")).toMatchObject({ kind: "ignored" });
    expect(changeOf("gumroad", "subscription_updated")).toMatchObject({ kind: "ignored" });
  });

  test("a ping naming no sale or subscription, or with a bad time, is 400", () => {
    expect(refusal(() => STORES.gumroad.parse("email=a%40b.c", new Headers()))).toMatchObject({
      status: 400,
      code: "invalid_event",
    });
    expect(refusal(() => STORES.gumroad.parse("sale_id=x&sale_timestamp=soon", new Headers())).status).toBe(400);
    expect(parse("gumroad", "sale").key).toBe(parse("gumroad", "sale").key);
  });
});

test("every fixture of every store parses", () => {
  const { readdirSync } = require("node:fs") as typeof import("node:fs");
  const { join } = require("node:path") as typeof import("node:path");
  let n = 0;
  for (const provider of Object.keys(STORES) as (keyof typeof STORES)[]) {
    for (const file of readdirSync(join(import.meta.dir, "fixtures", "stores", provider))) {
      const event = parse(provider, file.replace(/\.(json|txt)$/, ""));
      expect(event.occurredAt).toBeGreaterThan(Date.UTC(2025, 0, 1));
      expect(event.key.length).toBeGreaterThan(0);
      n++;
    }
  }
  expect(n).toBe(56);
  expect(DAY).toBe(86_400_000);
});
