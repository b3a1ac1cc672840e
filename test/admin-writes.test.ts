// /api/admin/…: the operator's changes over HTTP for an ADMIN — checked in the database, not only
// in the token — audited with the admin as actor, and listed in the OpenAPI document.
import { afterAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { users } from "../db/schema";
import { bearer, loginAs, seedUser } from "./fixtures";
import { createTestContext } from "./helpers";

const t = await createTestContext();
afterAll(() => t.close());

const boss = await seedUser(t, { email: "boss@example.com", role: "ADMIN" });
const customer = await seedUser(t, { email: "cus@example.com", licenses: [{ productId: "pro", seats: 3 }] });
const auth = bearer((await loginAs(t, boss)).accessToken);
const call = (method: string, path: string, body?: unknown, headers = auth) =>
  t.request(method, path, { body, headers });

describe("admin writes", () => {
  test("no token 401, not an admin 403", async () => {
    expect((await t.request("POST", "/api/admin/users", { body: { email: "x@example.com", name: "X" } })).status).toBe(
      401,
    );
    const own = bearer((await loginAs(t, customer)).accessToken);
    expect((await call("GET", "/api/admin/stats", undefined, own)).status).toBe(403);
  });

  test("users: create (with its link), change, reset link, end sessions, delete", async () => {
    const created = await call("POST", "/api/admin/users", { email: "New@Example.com", name: "New", role: "MANAGER" });
    expect(created.status).toBe(201);
    const { user, link } = await t.json<{ user: { id: string; email: string; role: string }; link: string }>(created);
    expect(user).toMatchObject({ email: "new@example.com", role: "MANAGER" });
    expect(link).toMatch(/\/create-password\?token=/);
    expect((await call("POST", "/api/admin/users", { email: "new@example.com", name: "Twin" })).status).toBe(409);
    const plain = await t.json<{ user: { role: string } }>(
      await call("POST", "/api/admin/users", { email: "p@example.com", name: "P" }),
    );
    expect(plain.user.role).toBe("OWNER"); // no role given: never an ADMIN by default
    const renamed = await call("PATCH", `/api/admin/users/${user.id}`, { name: "Newer" });
    expect(await t.json(renamed)).toMatchObject({ changed: ["name"] });
    expect((await call("PATCH", `/api/admin/users/${user.id}`, { status: "GONE" })).status).toBe(400);
    expect((await call("POST", `/api/admin/users/${user.id}/reset-link`)).status).toBe(200);
    const session = await loginAs(t, customer);
    const ended = await call("DELETE", `/api/admin/users/${customer.id}/sessions`);
    expect(await t.json(ended)).toMatchObject({ revokedSessions: 2 });
    expect(
      (await t.request("POST", "/api/auth/refresh", { body: { refreshToken: session.refreshToken } })).status,
    ).toBe(401);
    expect((await call("DELETE", `/api/admin/users/${user.id}`)).status).toBe(200);
    expect((await call("DELETE", `/api/admin/users/${user.id}`)).status).toBe(404);
  });

  test("licenses: grant, change seats, end, delete; bad input 400 naming the field", async () => {
    const granted = await call("POST", "/api/admin/licenses", {
      userId: customer.id,
      productId: "pro",
      seats: 2,
      validUntil: "2031-01-01",
    });
    expect(granted.status).toBe(201);
    const { license } = await t.json<{ license: { id: string } }>(granted);
    const seats = await call("PATCH", `/api/admin/licenses/${license.id}`, { seats: 5 });
    expect(await t.json(seats)).toMatchObject({ license: { seats: 5 }, changed: ["seats"] });
    const zero = await call("PATCH", `/api/admin/licenses/${license.id}`, { seats: 0 });
    expect(zero.status).toBe(400);
    expect(await t.json(zero)).toMatchObject({ field: "seats" });
    const ended = await call("POST", `/api/admin/licenses/${license.id}/end`);
    expect((await t.json<{ license: { validUntil: number } }>(ended)).license.validUntil).toBe(t.clock.now());
    expect((await call("DELETE", `/api/admin/licenses/${license.id}`)).status).toBe(200);
    expect((await call("POST", `/api/admin/licenses/${license.id}/end`)).status).toBe(404);
  });

  test("sessions and webhooks: revoke one session; create, list, rotate the secret, revoke", async () => {
    const session = await loginAs(t, customer);
    expect(await t.json(await call("DELETE", `/api/admin/sessions/${session.sessionId}`))).toMatchObject({
      revoked: true,
    });
    const created = await call("POST", "/api/admin/webhooks", { name: "Shop" });
    expect(created.status).toBe(201);
    const hook = await t.json<{ id: string; token: string }>(created);
    const list = await t.json<{ id: string; createdBy: string }[]>(await call("GET", "/api/admin/webhooks"));
    expect(list.find((w) => w.id === hook.id)?.createdBy).toBe(boss.id);
    expect(JSON.stringify(list)).not.toContain(hook.token);
    const rotated = await t.json<{ signingSecret: string; webhook: { signed: boolean } }>(
      await call("POST", `/api/admin/webhooks/${hook.id}/rotate-secret`, { signingSecret: "from-the-store-dashboard" }),
    );
    expect(rotated).toMatchObject({ signingSecret: "from-the-store-dashboard", webhook: { signed: true } });
    expect((await call("DELETE", `/api/admin/webhooks/${hook.id}`)).status).toBe(200);
    expect((await call("POST", `/api/admin/webhooks/${hook.id}/rotate-secret`)).status).toBe(409);
  });

  test("every change is audited admin.<action> with the admin as actor; audit and stats read back", async () => {
    const events = await t.json<{ event: string; actor: string }[]>(
      await call("GET", "/api/admin/audit?event=admin&limit=100"),
    );
    expect(new Set(events.map((e) => e.event))).toContain("admin.update-license");
    expect(events.length).toBeGreaterThanOrEqual(12);
    expect(events.every((e) => e.actor === `admin:${boss.id}`)).toBe(true);
    expect((await call("GET", "/api/admin/audit?since=yesterday")).status).toBe(400);
    const s = await t.json<{ users: { total: number } }>(await call("GET", "/api/admin/stats"));
    expect(s.users.total).toBe(3);
  });

  test("the role is checked in the database: a demoted admin's token stops working at once", async () => {
    await t.deps.db.write((tx) => tx.update(users).set({ role: "OWNER" }).where(eq(users.id, boss.id)));
    const res = await call("GET", "/api/admin/stats");
    expect(res.status).toBe(403);
    await t.deps.db.write((tx) => tx.update(users).set({ role: "ADMIN" }).where(eq(users.id, boss.id)));
    expect((await call("GET", "/api/admin/stats")).status).toBe(200);
  });

  test("the admin routes are in the OpenAPI document", async () => {
    const doc = await t.json<{ paths: Record<string, Record<string, unknown>> }>(
      await t.request("GET", "/openapi/json"),
    );
    for (const path of [
      "/api/admin/users",
      "/api/admin/users/{id}",
      "/api/admin/licenses/{id}",
      "/api/admin/webhooks/{id}/rotate-secret",
      "/api/admin/stats",
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(Object.keys(doc.paths["/api/admin/users/{id}"] ?? {})).toEqual(expect.arrayContaining(["patch", "delete"]));
  });
});
