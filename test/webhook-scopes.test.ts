// Webhook-token scopes: a store's token (default scope "store") manages customers only. It cannot
// make an ADMIN, cannot change, remove or sign out an existing ADMIN, and can revoke no token but
// its own; every refusal is a 403 that changes nothing. An admin-scope token, made on purpose, can.
import { afterAll, describe, expect, test } from "bun:test";
import { createTestContext } from "./helpers";
import { createHook, deliveryKit, insertSession, signedInUser } from "./webhooks-fixtures";

const t = await createTestContext();
afterAll(() => t.close());

const admin = await signedInUser(t, "ADMIN", "boss@example.com");
const customer = await signedInUser(t, "OWNER", "customer@example.com");
const storeHook = await createHook(t, admin, { name: "shop" });
const otherHook = await createHook(t, admin, { name: "other shop" });
const adminHook = await createHook(t, admin, { name: "ops", scope: "admin" });
const store = deliveryKit(t, storeHook);
const ops = deliveryKit(t, adminHook);

async function refused(body: Record<string, unknown>) {
  const before = await store.snapshot();
  const res = await store.send(body);
  expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: "insufficient_scope" });
  expect(res.body.error).toContain('scope "admin"');
  const { successes: _a, ...after } = await store.snapshot();
  const { successes: _b, ...expected } = before;
  expect(after).toEqual(expected);
  return res;
}

describe("the store scope (the default)", () => {
  test("is what a token gets unless an admin asks; it shows in the answer and the list", async () => {
    expect(storeHook).toMatchObject({ scope: "store" });
    expect(adminHook).toMatchObject({ scope: "admin" });
    const list = await t.request("GET", "/api/admin/webhooks", { headers: { authorization: `Bearer ${admin.token}` } });
    const hooks = (await list.json()) as { id: string; scope: string }[];
    expect(hooks.find((h) => h.id === storeHook.id)?.scope).toBe("store");
    expect(hooks.find((h) => h.id === adminHook.id)?.scope).toBe("admin");
  });

  test("cannot create an ADMIN, nor make a customer one", async () => {
    await refused({ action: "create-user", email: "mallory@example.com", name: "M", role: "ADMIN" });
    await refused({ action: "update-user", userId: customer.id, role: "ADMIN" });
    const row = await t.deps.db.orm.query.users.findFirst({ where: (u, { eq }) => eq(u.id, customer.id) });
    expect(row?.role).toBe("OWNER");
  });

  test("cannot change, remove or sign out an existing ADMIN", async () => {
    const session = await insertSession(t, admin.id);
    await refused({ action: "update-user", userId: admin.id, email: "mallory@example.com" });
    await refused({ action: "update-user", userId: admin.id, role: "OWNER" });
    await refused({ action: "delete-user", userId: admin.id });
    await refused({ action: "revoke-all-user-sessions", userId: admin.id });
    await refused({ action: "revoke-session", sessionId: session.id });
    const row = await t.deps.db.orm.query.users.findFirst({ where: (u, { eq }) => eq(u.id, admin.id) });
    expect(row).toMatchObject({ email: "boss@example.com", role: "ADMIN", status: "ACTIVE" });
  });

  test("can revoke no token but its own", async () => {
    await refused({ action: "revoke-webhook", webhookId: otherHook.id });
    expect((await deliveryKit(t, otherHook).send({ action: "revoke-session", sessionId: "none" })).status).toBe(404);
    // Revoking itself is allowed (a store rotating its credential), and then it stops working.
    const self = await deliveryKit(t, otherHook).send({ action: "revoke-webhook", webhookId: otherHook.id });
    expect(self.status).toBe(200);
    expect((await deliveryKit(t, otherHook).send({ action: "revoke-session", sessionId: "none" })).status).toBe(401);
  });

  test("still manages customers: create, update, sign out", async () => {
    const created = await store.send<{ user: { id: string } }>({
      action: "create-user",
      email: "new@example.com",
      name: "New",
    });
    expect(created.status).toBe(200);
    const id = created.body.response.user.id;
    expect((await store.send({ action: "update-user", userId: id, name: "Renamed", role: "MANAGER" })).status).toBe(
      200,
    );
    expect((await store.send({ action: "revoke-all-user-sessions", userId: id })).status).toBe(200);
  });

  test("each refusal is audited with the token as actor", async () => {
    const rows = await t.deps.db.orm.query.auditLog.findMany({
      where: (a, { eq }) => eq(a.actor, `webhook:${storeHook.id}`),
    });
    expect(rows.filter((r) => JSON.stringify(r.detail).includes("insufficient_scope")).length).toBeGreaterThanOrEqual(
      8,
    );
  });
});

describe("the admin scope", () => {
  test("grants and changes ADMINs", async () => {
    const made = await ops.send<{ user: { id: string; role: string } }>({
      action: "create-user",
      email: "second-admin@example.com",
      name: "Second",
      role: "ADMIN",
    });
    expect(made.status).toBe(200);
    expect(made.body.response.user.role).toBe("ADMIN");
    expect((await ops.send({ action: "update-user", userId: made.body.response.user.id, role: "OWNER" })).status).toBe(
      200,
    );
  });

  test("is for seatkey actions only: a store endpoint takes no admin scope", async () => {
    const res = await t.request("POST", "/api/webhooks/create", {
      body: { name: "gum", provider: "gumroad", scope: "admin" },
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { field: string }).field).toBe("scope");
  });

  test("an unknown scope is refused", async () => {
    const res = await t.request("POST", "/api/webhooks/create", {
      body: { name: "x", scope: "root" },
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(res.status).toBe(400);
  });
});
