// License changes (README "Seats"): extending a license or adding seats never signs anyone out;
// shrinking seats signs out only the excess sessions of that product, least recently used first;
// moving validUntil into the past makes its sessions limited at their next refresh; deleting it
// revokes its product's sessions. Every change is audited.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestContext, type TestContext } from "./helpers";
import { type LoginBody, loginAs, seatedCount, seedUser, sessionRow } from "./fixtures";
import { createHook, deliveryKit, signedInUser } from "./webhooks-fixtures";

let t: TestContext;
let kit: ReturnType<typeof deliveryKit>;
beforeAll(async () => {
  t = await createTestContext();
  kit = deliveryKit(t, await createHook(t, await signedInUser(t)));
});
afterAll(() => t.close());

const YEAR = 365 * 86400_000;

async function licensed(products: Record<string, number>) {
  const user = await seedUser(t);
  const ids: Record<string, string> = {};
  for (const [productId, seats] of Object.entries(products)) {
    const res = await kit.send<{ license: { id: string } }>({
      action: "create-license",
      userId: user.id,
      productId,
      seats,
      validUntil: t.clock.now() + YEAR,
    });
    expect(res.status).toBe(200);
    ids[productId] = res.body.response.license.id;
  }
  return { user, ids };
}

const refresh = (refreshToken: string) => t.request("POST", "/api/auth/refresh-token", { body: { refreshToken } });

const refreshed = async (refreshToken: string) => {
  const res = await refresh(refreshToken);
  expect(res.status).toBe(200);
  return (await res.json()) as LoginBody;
};

interface Update {
  changed: string[];
  revokedSessions: number;
}

const auditRows = async (event: string, licenseId: string) =>
  (
    await t.deps.db.client.execute({
      sql: "SELECT actor, detail FROM audit_log WHERE event = ? AND detail LIKE ?",
      args: [event, `%${licenseId}%`],
    })
  ).rows;

describe("license changes never sign out more than they must", () => {
  test("extending validUntil signs no one out; sessions keep their seats", async () => {
    const { user, ids } = await licensed({ pro: 2 });
    const a = await loginAs(t, user, { productId: "pro" });
    const b = await loginAs(t, user);
    const res = await kit.send<Update>({
      action: "update-license",
      licenseId: ids.pro,
      validUntil: t.clock.now() + 3 * YEAR,
    });
    expect(res.status).toBe(200);
    expect(res.body.response).toMatchObject({ changed: ["validUntil"], revokedSessions: 0 });
    expect((await refreshed(a.refreshToken)).limited).toBe(false);
    expect((await refreshed(b.refreshToken)).limited).toBe(false);
    expect(await seatedCount(t, user.id)).toBe(2);
    const [audit] = await auditRows("license.updated", ids.pro ?? "");
    expect(audit?.detail).toContain("validUntil");
  });

  test("adding seats signs no one out, and a waiting session takes a new seat at its next refresh", async () => {
    const { user, ids } = await licensed({ pro: 1 });
    const holder = await loginAs(t, user);
    const waiting = await loginAs(t, user);
    expect(waiting.limited).toBe(true);
    const res = await kit.send<Update>({ action: "update-license", licenseId: ids.pro, seats: 2 });
    expect(res.body.response).toMatchObject({ changed: ["seats"], revokedSessions: 0 });
    expect((await refreshed(holder.refreshToken)).limited).toBe(false);
    expect((await refreshed(waiting.refreshToken)).limited).toBe(false);
  });

  test("shrinking seats signs out only that product's excess sessions, least recently used first", async () => {
    const { user, ids } = await licensed({ pro: 3, basic: 1 });
    const oldest = await loginAs(t, user, { productId: "pro" });
    t.clock.advance(60_000);
    const middle = await loginAs(t, user, { productId: "pro" });
    t.clock.advance(60_000);
    const newest = await loginAs(t, user, { productId: "pro" });
    const basic = await loginAs(t, user, { productId: "basic" });
    t.clock.advance(60_000);
    await refreshed(oldest.refreshToken); // now the most recently used
    const res = await kit.send<Update>({ action: "update-license", licenseId: ids.pro, seats: 1 });
    expect(res.body.response).toMatchObject({ changed: ["seats"], revokedSessions: 2 });
    expect((await sessionRow(t, oldest.sessionId))?.revokedAt).toBeNull();
    expect((await sessionRow(t, middle.sessionId))?.revokeReason).toBe("seats_reduced");
    expect((await sessionRow(t, newest.sessionId))?.revokeReason).toBe("seats_reduced");
    expect((await sessionRow(t, basic.sessionId))?.revokedAt).toBeNull();
    // The one kept goes on holding its seat (the two signed out only hold back new seats).
    expect(await refreshed(oldest.refreshToken)).toMatchObject({ limited: false, product: "pro" });
    expect(await auditRows("license.updated", ids.pro ?? "")).toHaveLength(1);
  });

  test("moving validUntil into the past revokes nothing; its sessions are limited at their next refresh", async () => {
    const { user, ids } = await licensed({ pro: 2, basic: 1 });
    const pro = await loginAs(t, user, { productId: "pro" });
    const basic = await loginAs(t, user, { productId: "basic" });
    const res = await kit.send<Update>({ action: "update-license", licenseId: ids.pro, validUntil: t.clock.now() - 1 });
    expect(res.body.response).toMatchObject({ changed: ["validUntil"], revokedSessions: 0 });
    expect(await refreshed(pro.refreshToken)).toMatchObject({ limited: true, limitedReason: "expired" });
    expect((await refreshed(basic.refreshToken)).limited).toBe(false);
  });

  test("deleting a license revokes its product's sessions, not the other product's", async () => {
    const { user, ids } = await licensed({ pro: 1, basic: 1 });
    const pro = await loginAs(t, user, { productId: "pro" });
    const proWaiting = await loginAs(t, user, { productId: "pro" });
    const basic = await loginAs(t, user, { productId: "basic" });
    const res = await kit.send<Update>({ action: "delete-license", licenseId: ids.pro });
    expect(res.body.response).toMatchObject({ revokedSessions: 2 });
    expect((await refresh(pro.refreshToken)).status).toBe(401);
    expect((await refresh(proWaiting.refreshToken)).status).toBe(401);
    expect((await refreshed(basic.refreshToken)).limited).toBe(false);
    expect(await auditRows("license.deleted", ids.pro ?? "")).toHaveLength(1);
  });
});
