// A seat is a seat of one product: the seat events and the introspection answer name the product
// whose seat the session holds (the one the login named, or the one an unscoped login was given),
// never the user's first license. Events verified by a real `standardwebhooks` receiver.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { decodeJwt } from "jose";
import { eventRunner } from "../src/events/sender";
import { startReceiver, type Receiver } from "./event-receiver";
import { bearer, loginAs, seedUser } from "./fixtures";
import { createTestContext, type TestContext } from "./helpers";
import { signedInUser } from "./webhooks-fixtures";

let t: TestContext;
let receiver: Receiver;
let client: { clientId: string; clientSecret: string };

async function delivered(): Promise<{ type: string; data: Record<string, unknown> }[]> {
  await eventRunner(t.deps).flush();
  const got = receiver.received.splice(0);
  for (const r of got) expect(r.error).toBeNull();
  return got.map((r) => r.verified as { type: string; data: Record<string, unknown> });
}

async function introspect(token: string) {
  const res = await t.request("POST", "/api/auth/introspect", {
    body: new URLSearchParams({ token }).toString(),
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64")}`,
    },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { active: boolean; product?: string | null; limited?: boolean };
}

beforeAll(async () => {
  t = await createTestContext({ env: { EVENTS_ALLOW_PRIVATE: "true" } });
  receiver = startReceiver();
  receiver.now = () => t.clock.now();
  const admin = await signedInUser(t, "ADMIN");
  const endpoint = await t.request("POST", "/api/admin/event-endpoints", {
    body: { url: receiver.url, eventTypes: ["seat.taken", "seat.released"] },
    headers: bearer(admin.token),
  });
  receiver.secrets.push(((await endpoint.json()) as { secret: string }).secret);
  const res = await t.request("POST", "/api/admin/introspection-clients", {
    body: { name: "api" },
    headers: bearer(admin.token),
  });
  client = (await res.json()) as typeof client;
});
afterAll(async () => {
  receiver.stop();
  await t.close();
});
beforeEach(async () => {
  await delivered();
});

describe("the seat's product, everywhere", () => {
  test("logins of each product: token, introspection, seat.taken and seat.released name that product, not the first license", async () => {
    // "alpha" is the first license; "beta" runs longest, so an unscoped login is given beta.
    const user = await seedUser(t, {
      licenses: [
        { productId: "alpha", seats: 1, validForMs: 30 * 86_400_000 },
        { productId: "beta", seats: 2, validForMs: 300 * 86_400_000 },
      ],
    });
    const named = await loginAs(t, user, { productId: "beta" });
    const unscoped = await loginAs(t, user);
    const alpha = await loginAs(t, user, { productId: "alpha" });
    const products = [named, unscoped, alpha].map((l) => l.product);
    expect(products).toEqual(["beta", "beta", "alpha"]);
    for (const [login, product] of [
      [named, "beta"],
      [unscoped, "beta"],
      [alpha, "alpha"],
    ] as const) {
      expect(decodeJwt(login.accessToken).product).toBe(product);
      expect(await introspect(login.accessToken)).toMatchObject({ active: true, product, limited: false });
      expect(await introspect(login.refreshToken)).toMatchObject({ active: true, product, limited: false });
    }
    // Sent in parallel: compared in a fixed order.
    const seen = async () => (await delivered()).map((e) => [e.type, e.data.sessionId, e.data.productId]).sort();
    expect(await seen()).toEqual(
      [
        ["seat.taken", named.sessionId, "beta"],
        ["seat.taken", unscoped.sessionId, "beta"],
        ["seat.taken", alpha.sessionId, "alpha"],
      ].sort(),
    );

    // Every seat is taken: an unscoped login is limited and holds no product.
    const none = await loginAs(t, user);
    expect(none).toMatchObject({ limited: true, limitedReason: "no_free_seat", product: null });
    expect(await introspect(none.accessToken)).toMatchObject({ active: true, product: null, limited: true });

    for (const login of [unscoped, alpha]) {
      const res = await t.request("POST", "/api/auth/logout", { body: { refreshToken: login.refreshToken } });
      expect(res.status).toBe(204);
    }
    expect(await seen()).toEqual(
      [
        ["seat.released", unscoped.sessionId, "beta"],
        ["seat.released", alpha.sessionId, "alpha"],
      ].sort(),
    );
  });
});
