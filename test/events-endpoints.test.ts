// Managing event endpoints (admin API) and sending safely: secret rotation with an overlap,
// http(s) only, private addresses refused unless EVENTS_ALLOW_PRIVATE, no redirects followed,
// answers read up to a cap.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { eventDeliveries, eventEndpoints } from "../db/schema";
import { isPublicAddress, sendSigned } from "../src/events/http";
import { queueEventIn } from "../src/events/outbox";
import { eventRunner } from "../src/events/sender";
import { startReceiver, type Receiver } from "./event-receiver";
import { bearer, loginAs, seedUser } from "./fixtures";
import { createTestContext, type TestContext } from "./helpers";

let t: TestContext;
let receiver: Receiver;
let admin: { id: string; email: string; password: string };

const adminHeaders = async () => bearer((await loginAs(t, admin)).accessToken);
const flush = () => eventRunner(t.deps).flush();
const emit = () => t.deps.db.write((tx) => queueEventIn(tx, { clock: t.clock }, "user.created", { userId: "u1" }));

/** The fields these tests read from admin answers. */
interface Answer {
  secret: string;
  endpoint: { id: string };
  endpoints: unknown[];
  field: string;
}

async function call(method: string, path: string, body?: unknown) {
  const res = await t.request(method, path, { body, headers: await adminHeaders() });
  const text = await res.text();
  return { status: res.status, text, json: (text ? JSON.parse(text) : {}) as Answer };
}

beforeAll(async () => {
  t = await createTestContext({ env: { EVENTS_ALLOW_PRIVATE: "true" } });
  admin = await seedUser(t, { role: "ADMIN", email: "admin@example.com" });
  receiver = startReceiver();
  receiver.now = () => t.clock.now();
});
afterAll(async () => {
  receiver.stop();
  await t.close();
});
beforeEach(async () => {
  await t.deps.db.write((tx) => tx.delete(eventEndpoints));
  receiver.received.length = 0;
  receiver.mode = "ok";
});

describe("admin API", () => {
  test("only an admin manages endpoints; the secret is shown once, never listed, sealed at rest", async () => {
    const user = await seedUser(t);
    const denied = await t.request("GET", "/api/admin/event-endpoints", {
      headers: bearer((await loginAs(t, user)).accessToken),
    });
    expect(denied.status).toBe(403);
    expect((await t.request("GET", "/api/admin/event-endpoints")).status).toBe(401);

    const created = await call("POST", "/api/admin/event-endpoints", {
      url: receiver.url,
      eventTypes: ["seat.taken"],
      description: "CRM",
    });
    expect(created.status).toBe(201);
    const secret = created.json.secret;
    expect(created.json.endpoint).toMatchObject({ url: receiver.url, eventTypes: ["seat.taken"], enabled: true });
    const list = await call("GET", "/api/admin/event-endpoints");
    expect(list.json.endpoints).toHaveLength(1);
    expect(list.text).not.toContain(secret);
    expect(list.text).not.toMatch(/sealed/i);
    const stored = await t.deps.db.client.execute("SELECT * FROM event_endpoints");
    expect(JSON.stringify(stored.rows)).not.toContain(secret.slice(6));

    const id = created.json.endpoint.id;
    const patched = await call("PATCH", `/api/admin/event-endpoints/${id}`, { eventTypes: [], enabled: false });
    expect(patched.json).toMatchObject({ eventTypes: [], enabled: false, disabledReason: "disabled by an admin" });
    expect((await call("DELETE", `/api/admin/event-endpoints/${id}`)).status).toBe(204);
    expect((await call("DELETE", `/api/admin/event-endpoints/${id}`)).status).toBe(404);
    expect((await call("POST", "/api/admin/event-deliveries/nope/replay")).status).toBe(404);
  });

  test("bad input is a 400 naming the field and changes nothing", async () => {
    const cases: [unknown, string][] = [
      [{ url: "ftp://example.com/x" }, "url"],
      [{ url: "https://user:pw@example.com/x" }, "url"],
      [{ url: "not a url" }, "url"],
      [{ url: `https://example.com/${"x".repeat(2100)}` }, "url"],
      [{ url: receiver.url, eventTypes: ["user.exploded"] }, "eventTypes"],
      [{ url: receiver.url, eventTypes: "user.created" }, "eventTypes"],
      [{}, "url"],
    ];
    for (const [body, field] of cases) {
      const res = await call("POST", "/api/admin/event-endpoints", body);
      expect(res.status).toBe(400);
      expect(res.json.field).toStartWith(field);
    }
    expect((await call("GET", "/api/admin/event-endpoints")).json.endpoints).toHaveLength(0);
    expect((await call("GET", "/api/admin/event-deliveries?status=lost")).status).toBe(400);
  });
});

describe("secret rotation", () => {
  test("during the overlap each delivery verifies with the old and the new secret; after it, only the new", async () => {
    const created = await call("POST", "/api/admin/event-endpoints", { url: receiver.url });
    const oldSecret = created.json.secret;
    const id = created.json.endpoint.id;
    const rotated = await call("POST", `/api/admin/event-endpoints/${id}/rotate-secret`, { overlapSeconds: 3600 });
    expect(rotated.status).toBe(200);
    const newSecret = rotated.json.secret;
    expect(newSecret).not.toBe(oldSecret);
    receiver.secrets.splice(0, receiver.secrets.length, newSecret);

    await emit();
    await flush();
    const during = receiver.received.at(-1)!;
    expect(during.signature.split(" ")).toHaveLength(2);
    expect(receiver.verify(during, oldSecret)).toBeTruthy();
    expect(receiver.verify(during, newSecret)).toBeTruthy();

    t.clock.advance(3600_000 + 1);
    await emit();
    await flush();
    const after = receiver.received.at(-1)!;
    expect(after.signature.split(" ")).toHaveLength(1);
    expect(receiver.verify(after, newSecret)).toBeTruthy();
    expect(() => receiver.verify(after, oldSecret)).toThrow();

    const bad = await call("POST", `/api/admin/event-endpoints/${id}/rotate-secret`, { overlapSeconds: -1 });
    expect(bad.status).toBe(400);
  });
});

describe("safe sending", () => {
  test("private, loopback, link-local and other non-public addresses are not public", () => {
    for (const a of [
      "127.0.0.1",
      "10.1.2.3",
      "192.168.0.1",
      "172.16.0.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
    ]) {
      expect(isPublicAddress(a)).toBe(false);
    }
    for (const a of ["::1", "::", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "not-an-ip"]) {
      expect(isPublicAddress(a)).toBe(false);
    }
    for (const a of ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      expect(isPublicAddress(a)).toBe(true);
    }
  });

  test("without EVENTS_ALLOW_PRIVATE a loopback receiver (by address or by name) is refused before connecting", async () => {
    const at = new Date(t.clock.now());
    const secrets = [`whsec_${Buffer.alloc(32, 1).toString("base64")}`];
    for (const url of [receiver.url, `http://localhost:${receiver.port}/hooks`, `http://[::1]:${receiver.port}/x`]) {
      const result = await sendSigned({ url, id: "msg_x", at, payload: "{}", secrets }, { allowPrivate: false });
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/refused/);
    }
    expect(receiver.received).toHaveLength(0);
  });

  test("a redirect is not followed and counts as a failure; a huge answer is read only up to the cap", async () => {
    const created = await call("POST", "/api/admin/event-endpoints", { url: receiver.url });
    const id = created.json.endpoint.id;
    receiver.mode = "redirect";
    await emit();
    await flush();
    expect(receiver.received).toHaveLength(1);
    const [row] = await t.deps.db.orm.select().from(eventDeliveries).where(eq(eventDeliveries.endpointId, id));
    expect(row).toMatchObject({ lastStatus: 302, deliveredAt: null });
    expect(row!.lastError).toMatch(/redirect/);

    receiver.mode = "huge";
    t.clock.advance(60 * 60_000);
    await flush();
    const [again] = await t.deps.db.orm.select().from(eventDeliveries).where(eq(eventDeliveries.endpointId, id));
    expect(again).toMatchObject({ lastStatus: 500, attempts: 2 });
    expect(again!.lastError!.length).toBeLessThan(400);
  });
});
