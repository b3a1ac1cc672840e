// Admin routes re-check the database, not only the token's claims: a disabled, demoted or deleted
// admin, or a revoked session, loses admin power at once (its access token is otherwise still valid).
import { afterAll, describe, expect, test } from "bun:test";
import { updateUserIn, deleteUserIn } from "../src/users/service";
import { revokeSession } from "../src/sessions/revoke";
import { bearer, loginAs, seedUser } from "./fixtures";
import { createTestContext } from "./helpers";

const t = await createTestContext();
afterAll(() => t.close());

async function admin() {
  const user = await seedUser(t, { role: "ADMIN" });
  const { accessToken, sessionId } = await loginAs(t, user);
  const createHook = () =>
    t.request("POST", "/api/webhooks/create", { body: { name: "shop" }, headers: bearer(accessToken) });
  const listUsers = () => t.request("GET", "/api/users", { headers: bearer(accessToken) });
  expect((await listUsers()).status).toBe(200);
  return { user, sessionId, createHook, listUsers };
}

const actor = { actor: "webhook:test" };

describe("admin power is checked in the database", () => {
  test("a disabled admin's unexpired token gets 401, not 201, and creates nothing", async () => {
    const a = await admin();
    await t.deps.db.write((tx) => updateUserIn(tx, t.deps, a.user.id, { status: "INACTIVE" }, actor));
    // Disabling also ends every session, so the token's session is gone (401) as well as its power.
    expect((await a.createHook()).status).toBe(401);
    expect((await a.listUsers()).status).toBe(401);
    expect(await t.deps.db.client.execute("SELECT count(*) AS n FROM webhook_tokens")).toMatchObject({
      rows: [{ n: 0 }],
    });
  });

  test("a demoted admin's token gets 403", async () => {
    const a = await admin();
    await t.deps.db.write((tx) => updateUserIn(tx, t.deps, a.user.id, { role: "OWNER" }, actor));
    const res = await a.createHook();
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe("forbidden");
  });

  test("a deleted admin's token gets 401 — never a 500 — and nothing is logged with SQL parameters", async () => {
    const a = await admin();
    await t.deps.db.write((tx) => deleteUserIn(tx, t.deps, a.user.id, actor));
    expect((await a.createHook()).status).toBe(401);
    expect((await a.listUsers()).status).toBe(401);
    expect(t.log.lines.filter((l) => l.level === "error")).toEqual([]);
  });

  test("an admin whose session was revoked loses admin power with it", async () => {
    const a = await admin();
    await revokeSession(t.deps, a.sessionId, { reason: "logout", actor: "system" });
    expect((await a.createHook()).status).toBe(401);
  });
});
