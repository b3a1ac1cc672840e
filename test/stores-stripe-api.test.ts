// Stripe one-time checkouts carry no line items: with STRIPE_API_KEY set, seatkey fetches them with
// the official stripe SDK — here against a local HTTP stub standing in for api.stripe.com.
import { afterAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { licenses } from "../db/schema";
import { createTestContext } from "./helpers";
import { createStoreHook, sendFixture } from "./stores-fixtures";
import { signedInUser } from "./webhooks-fixtures";

const seen: { path: string; auth: string | null }[] = [];
const stub = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    const url = new URL(request.url);
    seen.push({ path: url.pathname, auth: request.headers.get("authorization") });
    const match = /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/.exec(url.pathname);
    if (!match)
      return Response.json({ error: { type: "invalid_request_error", message: "No such route" } }, { status: 404 });
    // The shape of Stripe's "list a Checkout Session's line items" answer.
    return Response.json({
      object: "list",
      url: url.pathname,
      has_more: false,
      data: [
        {
          id: "li_1SaPr1LkdIwHu7ixLine01",
          object: "item",
          amount_discount: 0,
          amount_subtotal: 29700,
          amount_tax: 0,
          amount_total: 29700,
          currency: "usd",
          description: "Seatkey Team, lifetime",
          price: {
            id: "price_1SaPr1LkdIwHu7ixTeamLife",
            object: "price",
            active: true,
            billing_scheme: "per_unit",
            currency: "usd",
            product: "prod_TfA2Seatkey0Team",
            type: "one_time",
            unit_amount: 9900,
          },
          quantity: 3,
        },
      ],
    });
  },
});

const t = await createTestContext({
  env: { STRIPE_API_KEY: "sk_test_stub_key", STRIPE_API_BASE: `http://127.0.0.1:${stub.port}` },
});
afterAll(async () => {
  await t.close();
  stub.stop(true);
});

test("a one-time checkout without metadata: line items fetched with the SDK, mapped by product", async () => {
  t.clock.set(Date.UTC(2026, 0, 10, 10, 5, 0));
  const admin = await signedInUser(t);
  const hook = await createStoreHook(t, admin.token, "stripe");
  await t.request("PUT", `/api/webhooks/${hook.id}/products/prod_TfA2Seatkey0Team`, {
    body: { productId: "team", seatsPerUnit: 2, termDays: null },
    headers: { authorization: `Bearer ${admin.token}` },
  });
  const res = await sendFixture(t, hook, "checkout.session.completed.payment.no-metadata");
  expect(res.status).toBe(200);
  expect(res.body.response).toMatchObject({ status: "applied" });
  expect(seen).toEqual([
    { path: "/v1/checkout/sessions/cs_test_c1SaPr1LkdIwHu7ixNoMeta/line_items", auth: "Bearer sk_test_stub_key" },
  ]);
  const license = await t.deps.db.orm.query.licenses.findFirst({
    where: eq(licenses.externalRef, "pi_3SaPr1LkdIwHu7ix0NoMeta"),
  });
  expect(license).toMatchObject({
    provider: "stripe",
    productId: "team",
    seats: 6,
    validUntil: Date.UTC(9999, 11, 31),
  });
});

test("the Stripe API failing makes the event failed (500: Stripe retries), never a silent drop", async () => {
  stub.reload({ fetch: () => Response.json({ error: { type: "api_error", message: "down" } }, { status: 500 }) });
  const admin = await signedInUser(t);
  const hook = await createStoreHook(t, admin.token, "stripe");
  const res = await sendFixture(t, hook, "checkout.session.completed.payment.no-metadata");
  expect(res.status).toBe(500);
  expect(res.body.code).toBe("store_event_failed");
});
