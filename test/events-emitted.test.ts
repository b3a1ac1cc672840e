// Every change a subscriber cares about becomes an event, queued in the change's own transaction
// by the module that owns it: users, licenses, seats, sessions, reuse, passwords. Checked end to
// end through the real API, delivered to a real receiver that verifies each signature.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { eventDeliveries } from "../db/schema";
import { eventRunner } from "../src/events/sender";
import { setUserPassword } from "../src/passwords/service";
import { startReceiver, type Receiver } from "./event-receiver";
import { loginAs, seedUser } from "./fixtures";
import { createTestContext, type TestContext } from "./helpers";
import { createHook, deliveryKit, insertSession, signedInUser } from "./webhooks-fixtures";

let t: TestContext;
let receiver: Receiver;
let kit: ReturnType<typeof deliveryKit>;

interface Event {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** The events delivered since the last call, each verified by the receiver. */
async function delivered(): Promise<Event[]> {
  await eventRunner(t.deps).flush();
  const got = receiver.received.splice(0);
  for (const r of got) expect(r.error).toBeNull();
  return got.map((r) => r.verified as Event);
}
const types = (events: Event[]) => events.map((e) => e.type);

beforeAll(async () => {
  t = await createTestContext({ env: { EVENTS_ALLOW_PRIVATE: "true" } });
  receiver = startReceiver();
  receiver.now = () => t.clock.now();
  const admin = await signedInUser(t, "ADMIN");
  const res = await t.request("POST", "/api/admin/event-endpoints", {
    body: { url: receiver.url },
    headers: { authorization: `Bearer ${admin.token}` },
  });
  receiver.secrets.push(((await res.json()) as { secret: string }).secret);
  kit = deliveryKit(t, await createHook(t, admin));
  await delivered();
});
afterAll(async () => {
  receiver.stop();
  await t.close();
});
beforeEach(async () => {
  await delivered();
});

describe("events from the owning modules", () => {
  test("users and licenses: created, updated, deleted — ids and facts only", async () => {
    const userId = await kit.newUser("life@example.com");
    expect(await delivered()).toEqual([{ type: "user.created", data: { userId }, timestamp: expect.any(String) }]);
    await kit.send({ action: "update-user", userId, name: "Renamed" });
    expect(await delivered()).toMatchObject([{ type: "user.updated", data: { userId, changed: ["name"] } }]);
    const licenseId = await kit.newLicense(userId, 3);
    expect(await delivered()).toMatchObject([
      { type: "license.created", data: { licenseId, userId, productId: "pro", seats: 3 } },
    ]);
    await kit.send({ action: "update-license", licenseId, seats: 5 });
    expect(await delivered()).toMatchObject([
      { type: "license.updated", data: { licenseId, userId, changed: ["seats"] } },
    ]);
    await kit.send({ action: "delete-license", licenseId });
    expect(types(await delivered())).toEqual(["license.deleted"]);
    await kit.send({ action: "delete-user", userId });
    expect(await delivered()).toMatchObject([{ type: "user.deleted", data: { userId } }]);
  });

  test("a refused change sends nothing: its events rolled back with it", async () => {
    await kit.expectRefused(
      { action: "create-license", userId: "nobody", productId: "pro", seats: 1, validUntil: "2031-01-01" },
      404,
      "user_not_found",
    );
    await kit.expectRefused({ action: "update-user", userId: "nobody", name: "x" }, 404, "user_not_found");
    expect(await delivered()).toEqual([]);
    expect(await t.deps.db.orm.select().from(eventDeliveries).limit(1000)).not.toContainEqual(
      expect.objectContaining({ eventType: "license.created", deliveredAt: null }),
    );
  });

  test("login takes a seat, logout revokes the session and releases it; a limited login takes none", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1, productId: "app" }] });
    const first = await loginAs(t, user, { productId: "app" });
    expect(await delivered()).toMatchObject([
      { type: "seat.taken", data: { userId: user.id, sessionId: first.sessionId, productId: "app" } },
    ]);
    const second = await loginAs(t, user, { productId: "app" });
    expect(second.limited).toBe(true);
    expect(await delivered()).toEqual([]);
    await t.request("POST", "/api/auth/logout", { body: { refreshToken: first.refreshToken } });
    const events = await delivered();
    expect(events).toMatchObject([
      { type: "session.revoked", data: { userId: user.id, sessionId: first.sessionId, reason: "logout" } },
      { type: "seat.released", data: { sessionId: first.sessionId, productId: "app", reason: "logout" } },
    ]);
    const text = JSON.stringify(events);
    for (const secret of [first.refreshToken, first.accessToken, user.password]) expect(text).not.toContain(secret);
  });

  test("refresh-token reuse: reuse_detected, the session revoked with its reason, the seat released", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    const login = await loginAs(t, user);
    await delivered();
    const refresh = (token: string) => t.request("POST", "/api/auth/refresh", { body: { refreshToken: token } });
    expect((await refresh(login.refreshToken)).status).toBe(200);
    t.clock.advance((t.deps.config.refreshGrace + 1) * 1000);
    expect((await refresh(login.refreshToken)).status).toBe(401);
    const events = await delivered();
    expect(types(events).sort()).toEqual(["refresh.reuse_detected", "seat.released", "session.revoked"]);
    expect(events.find((e) => e.type === "session.revoked")?.data).toMatchObject({
      sessionId: login.sessionId,
      reason: "refresh_token_reuse",
    });
    expect(events.find((e) => e.type === "seat.released")?.data.reason).toBe("revocation");
  });

  test("a password change: password.changed, and each session it ended", async () => {
    const user = await seedUser(t);
    const login = await loginAs(t, user);
    await delivered();
    await setUserPassword(t.deps, user.id, "a completely new passphrase for this", { revoke: "all", actor: "test" });
    const events = await delivered();
    expect(types(events).sort()).toEqual(["password.changed", "session.revoked"]);
    expect(events.find((e) => e.type === "session.revoked")?.data).toMatchObject({
      sessionId: login.sessionId,
      reason: "password_changed",
    });
  });

  test("a license change ends sessions: their seats are released with reason license_change", async () => {
    const userId = await kit.newUser();
    const licenseId = await kit.newLicense(userId, 1);
    const seated = await insertSession(t, userId, { productId: "pro" });
    await delivered();
    await kit.send({ action: "delete-license", licenseId });
    const events = await delivered();
    expect(types(events).sort()).toEqual(["license.deleted", "seat.released", "session.revoked"]);
    expect(events.find((e) => e.type === "seat.released")?.data).toMatchObject({
      sessionId: seated.id,
      productId: "pro",
      reason: "license_change",
      revokeReason: "license_deleted",
    });
  });
});
