// Webhook actions (README "Integrating your store"): each action's good path and its bad payloads — missing fields, wrong
// types, huge strings, unknown ids, hostile keys — refused with a clear 4xx and nothing changed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { auditLog, licenses, sessions, users } from "../db/schema";
import { createTestContext, type TestContext } from "./helpers";
import { linkIn } from "./smtp";
import { createHook, deliveryKit, type Hook, insertSession, signedInUser } from "./webhooks-fixtures";

let t: TestContext;
let hook: Hook;
let kit: ReturnType<typeof deliveryKit>;
beforeAll(async () => {
  t = await createTestContext();
  hook = await createHook(t, await signedInUser(t));
  kit = deliveryKit(t, hook);
});
afterAll(() => t.close());

describe("create-user", () => {
  test("creates the user (no password hash exposed), mails a set-password link, audits it", async () => {
    const res = await kit.send<{ user: Record<string, unknown> }>({
      action: "create-user",
      email: " New.Person@Example.com ",
      name: "New",
      role: "MANAGER",
    });
    expect(res.status).toBe(200);
    const user = res.body.response.user;
    expect(user).toMatchObject({
      email: "new.person@example.com",
      name: "New",
      role: "MANAGER",
      status: "ACTIVE",
      hasPassword: false,
    });
    expect(user.passwordHash).toBeUndefined();
    const mail = await t.smtp.waitFor((m) => m.to.includes("new.person@example.com"));
    expect(linkIn(mail, "http://localhost:3000/create-password?token=")).toBeTruthy();
    const [audit] = await t.deps.db.orm
      .select()
      .from(auditLog)
      .where(eq(auditLog.event, "webhook.create-user"))
      .orderBy(sql`at`)
      .limit(1);
    expect(audit?.actor).toBe(`webhook:${hook.id}`);
    expect(audit?.detail).toContain("success");
  });

  test("bad payloads are 400 naming the field; a taken email is 409; nothing changes", async () => {
    const ok = { action: "create-user", email: "fresh@example.com", name: "Fresh" };
    await kit.expectRefused({ ...ok, email: undefined }, 400, "invalid_input", "email");
    await kit.expectRefused({ ...ok, email: 12 }, 400, "invalid_input", "email");
    await kit.expectRefused({ ...ok, email: "not-an-email" }, 400, "invalid_email", "email");
    await kit.expectRefused({ ...ok, email: `${"a".repeat(300)}@example.com` }, 400, "invalid_input", "email");
    await kit.expectRefused({ ...ok, name: undefined }, 400, "invalid_input", "name");
    await kit.expectRefused({ ...ok, name: "   " }, 400, "invalid_input", "name");
    await kit.expectRefused({ ...ok, name: "n".repeat(20_000) }, 400, "invalid_input", "name");
    await kit.expectRefused({ ...ok, name: ["x"] }, 400, "invalid_input", "name");
    const badRole = await kit.send({ ...ok, role: "SUPERUSER" });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error).toContain("ADMIN, OWNER, MANAGER");
    await kit.expectRefused(
      '{"action":"create-user","email":"p@example.com","name":"P","__proto__":{"role":"ADMIN"}}',
      400,
      "invalid_input",
      "__proto__",
    );
    await kit.expectRefused({ ...ok, constructor: "x" }, 400, "invalid_input", "constructor");
    await kit.expectRefused({ ...ok, isAdmin: true }, 400, "invalid_input", "isAdmin");
    expect(({} as Record<string, unknown>).role).toBeUndefined(); // no prototype pollution
    await kit.send(ok);
    await kit.expectRefused({ ...ok, email: "FRESH@example.com" }, 409, "email_taken");
  });
});

describe("update-user", () => {
  test("changes fields, mails account-changed to the old and new address, reports what changed", async () => {
    const userId = await kit.newUser("before@example.com");
    const res = await kit.send<{ user: Record<string, unknown>; changed: string[] }>({
      action: "update-user",
      userId,
      email: "After@example.com",
      name: "Renamed",
      role: "OWNER",
    });
    expect(res.status).toBe(200);
    expect(res.body.response.changed).toEqual(["email", "name"]);
    expect(res.body.response.user).toMatchObject({ email: "after@example.com", name: "Renamed" });
    expect(res.body.response.user.passwordHash).toBeUndefined();
    for (const to of ["before@example.com", "after@example.com"]) {
      const mail = await t.smtp.waitFor((m) => m.to.includes(to) && /changed/i.test(m.subject));
      expect(mail.text).toContain("email address");
    }
  });

  test("status INACTIVE revokes every session at once", async () => {
    const userId = await kit.newUser();
    await insertSession(t, userId);
    await insertSession(t, userId, { kind: "account" });
    const res = await kit.send<{ revokedSessions: number }>({ action: "update-user", userId, status: "INACTIVE" });
    expect(res.status).toBe(200);
    expect(res.body.response.revokedSessions).toBe(2);
    expect(await kit.liveSessionsOf(userId)).toHaveLength(0);
    const revoked = await t.deps.db.orm.select().from(sessions).where(eq(sessions.userId, userId));
    expect(revoked.every((s) => s.revokeReason === "account_disabled")).toBe(true);
  });

  test("no real change changes nothing and mails nobody", async () => {
    const userId = await kit.newUser("same@example.com");
    const before = await kit.snapshot();
    const res = await kit.send<{ changed: string[] }>({
      action: "update-user",
      userId,
      email: "SAME@example.com",
      name: "Someone",
    });
    expect(res.body.response.changed).toEqual([]);
    const after = await kit.snapshot();
    expect({ ...after, successes: before.successes }).toEqual(before);
  });

  test("unknown user 404, taken email 409, bad fields 400 — nothing changes", async () => {
    const userId = await kit.newUser();
    await kit.newUser("taken@example.com");
    await kit.expectRefused({ action: "update-user", userId: "nobody", name: "X" }, 404, "user_not_found");
    await kit.expectRefused({ action: "update-user", userId, email: "Taken@example.com" }, 409, "email_taken");
    await kit.expectRefused({ action: "update-user", userId, status: "DISABLED" }, 400, "invalid_input", "status");
    await kit.expectRefused(
      { action: "update-user", userId, passwordHash: "$argon2id$..." },
      400,
      "invalid_input",
      "passwordHash",
    );
    await kit.expectRefused({ action: "update-user", name: "X" }, 400, "invalid_input", "userId");
    await kit.expectRefused({ action: "update-user", userId: 5 }, 400, "invalid_input", "userId");
    await kit.expectRefused({ action: "update-user", userId: "u".repeat(10_000) }, 400, "invalid_input", "userId");
  });
});

describe("delete-user", () => {
  test("ends the sessions, mails account-deleted, and removes the user with their licenses", async () => {
    const userId = await kit.newUser("leaving@example.com");
    await kit.newLicense(userId);
    await insertSession(t, userId);
    const res = await kit.send<{ deleted: boolean; revokedSessions: number }>({ action: "delete-user", userId });
    expect(res.status).toBe(200);
    expect(res.body.response).toMatchObject({ deleted: true, revokedSessions: 1 });
    expect(await t.deps.db.orm.query.users.findFirst({ where: eq(users.id, userId) })).toBeUndefined();
    expect(await t.deps.db.orm.select().from(licenses).where(eq(licenses.userId, userId))).toHaveLength(0);
    expect(await t.deps.db.orm.select().from(sessions).where(eq(sessions.userId, userId))).toHaveLength(0);
    await t.smtp.waitFor((m) => m.to.includes("leaving@example.com") && /deleted/i.test(m.subject));
    await kit.expectRefused({ action: "delete-user", userId }, 404, "user_not_found");
  });
});

describe("licenses", () => {
  test("create-license takes ISO 8601 or Unix ms and stores Unix ms", async () => {
    const userId = await kit.newUser();
    const iso = await kit.send<{ license: { validUntil: number; seats: number } }>({
      action: "create-license",
      userId,
      productId: "pro",
      seats: 3,
      validUntil: "2031-02-03T04:05:06+02:00",
    });
    expect(iso.status).toBe(200);
    expect(iso.body.response.license).toMatchObject({ seats: 3, validUntil: Date.UTC(2031, 1, 3, 2, 5, 6) });
    const ms = await kit.send<{ license: { validUntil: number } }>({
      action: "create-license",
      userId,
      productId: "pro",
      seats: 1,
      validUntil: 1_950_000_000_000,
    });
    expect(ms.body.response.license.validUntil).toBe(1_950_000_000_000);
    const day = await kit.send<{ license: { validUntil: number } }>({
      action: "create-license",
      userId,
      productId: "pro",
      seats: 1,
      validUntil: "2032-01-01",
    });
    expect(day.body.response.license.validUntil).toBe(Date.UTC(2032, 0, 1));
  });

  test("create-license refuses bad seats, dates, unknown users and missing fields", async () => {
    const userId = await kit.newUser();
    const ok = { action: "create-license", userId, productId: "pro", seats: 1, validUntil: "2031-01-01" };
    await kit.expectRefused({ ...ok, seats: 0 }, 400, "invalid_input", "seats");
    await kit.expectRefused({ ...ok, seats: 1.5 }, 400, "invalid_input", "seats");
    await kit.expectRefused({ ...ok, seats: "2" }, 400, "invalid_input", "seats");
    await kit.expectRefused({ ...ok, seats: 10_000_000 }, 400, "invalid_input", "seats");
    await kit.expectRefused({ ...ok, validUntil: "tomorrow" }, 400, "invalid_input", "validUntil");
    await kit.expectRefused({ ...ok, validUntil: "2031-01-01T00:00:00" }, 400, "invalid_input", "validUntil");
    await kit.expectRefused({ ...ok, validUntil: "2031-13-45" }, 400, "invalid_input", "validUntil");
    await kit.expectRefused({ ...ok, validUntil: 1_924_992_000 }, 400, "invalid_input", "validUntil"); // seconds
    await kit.expectRefused({ ...ok, validUntil: null }, 400, "invalid_input", "validUntil");
    await kit.expectRefused({ ...ok, productId: "" }, 400, "invalid_input", "productId");
    await kit.expectRefused({ ...ok, productId: "p".repeat(5000) }, 400, "invalid_input", "productId");
    await kit.expectRefused({ ...ok, userId: undefined }, 400, "invalid_input", "userId");
    await kit.expectRefused({ ...ok, userId: "ghost" }, 404, "user_not_found");
  });

  test("update-license changes the license; more seats and a later date sign no one out; no change changes nothing", async () => {
    const userId = await kit.newUser();
    const licenseId = await kit.newLicense(userId, 2);
    await insertSession(t, userId, { productId: "pro" });
    await insertSession(t, userId, { productId: "pro" });
    const same = await kit.send<{ changed: string[]; revokedSessions: number }>({
      action: "update-license",
      licenseId,
      seats: 2,
    });
    expect(same.body.response).toMatchObject({ changed: [], revokedSessions: 0 });
    const res = await kit.send<{
      license: { seats: number; validUntil: number };
      changed: string[];
      revokedSessions: number;
    }>({
      action: "update-license",
      licenseId,
      seats: 5,
      validUntil: 1_960_000_000_000,
    });
    expect(res.status).toBe(200);
    expect(res.body.response).toMatchObject({ changed: ["seats", "validUntil"], revokedSessions: 0 });
    expect(res.body.response.license).toMatchObject({ seats: 5, validUntil: 1_960_000_000_000 });
    expect(await kit.liveSessionsOf(userId)).toHaveLength(2);
    await kit.expectRefused({ action: "update-license", licenseId: "nope", seats: 3 }, 404, "license_not_found");
    await kit.expectRefused({ action: "update-license", licenseId, seats: -1 }, 400, "invalid_input", "seats");
    await kit.expectRefused({ action: "update-license", licenseId, userId }, 400, "invalid_input", "userId");
  });

  test("delete-license removes it and revokes the sessions of its product", async () => {
    const userId = await kit.newUser();
    const licenseId = await kit.newLicense(userId);
    await insertSession(t, userId, { productId: "pro" });
    const res = await kit.send<{ deleted: boolean; revokedSessions: number }>({ action: "delete-license", licenseId });
    expect(res.body.response).toMatchObject({ deleted: true, revokedSessions: 1 });
    expect(await t.deps.db.orm.query.licenses.findFirst({ where: eq(licenses.id, licenseId) })).toBeUndefined();
    const [s] = await t.deps.db.orm.select().from(sessions).where(eq(sessions.userId, userId));
    expect(s?.revokeReason).toBe("license_deleted");
    await kit.expectRefused({ action: "delete-license", licenseId }, 404, "license_not_found");
    await kit.expectRefused({ action: "delete-license" }, 400, "invalid_input", "licenseId");
  });

  test("grant-license creates a new user (mailing the link) or adds to an existing one", async () => {
    const grant = {
      action: "grant-license",
      email: "Buyer@Example.com",
      name: "Buyer",
      productId: "pro",
      seats: 2,
      validUntil: "2031-06-01",
    };
    const first = await kit.send<{
      user: { id: string; email: string };
      license: { userId: string };
      userCreated: boolean;
    }>(grant);
    expect(first.status).toBe(200);
    expect(first.body.response.userCreated).toBe(true);
    expect(first.body.response.user.email).toBe("buyer@example.com");
    expect(first.body.response.license.userId).toBe(first.body.response.user.id);
    await t.smtp.waitFor((m) => m.to.includes("buyer@example.com") && m.text.includes("/create-password?token="));
    const mailsBefore = (await kit.snapshot()).mail;
    const again = await kit.send<{ user: { id: string }; userCreated: boolean }>({
      ...grant,
      email: "BUYER@example.com",
      seats: 1,
    });
    expect(again.body.response).toMatchObject({ userCreated: false, user: { id: first.body.response.user.id } });
    expect((await kit.snapshot()).mail).toBe(mailsBefore);
    expect(
      await t.deps.db.orm.select().from(licenses).where(eq(licenses.userId, first.body.response.user.id)),
    ).toHaveLength(2);
    await kit.expectRefused({ ...grant, seats: 0 }, 400, "invalid_input", "seats");
    await kit.expectRefused(
      { ...grant, email: "nobody-new@example.com", validUntil: "soon" },
      400,
      "invalid_input",
      "validUntil",
    );
    await kit.expectRefused({ ...grant, name: undefined }, 400, "invalid_input", "name");
  });
});

describe("revoking sessions", () => {
  test("revoke-session revokes one session (again: revoked false); unknown is 404", async () => {
    const userId = await kit.newUser();
    const keep = await insertSession(t, userId);
    const kill = await insertSession(t, userId);
    const res = await kit.send<{ revoked: boolean; userId: string }>({ action: "revoke-session", sessionId: kill.id });
    expect(res.body.response).toMatchObject({ revoked: true, userId });
    expect((await kit.liveSessionsOf(userId)).map((s) => s.id)).toEqual([keep.id]);
    const again = await kit.send<{ revoked: boolean }>({ action: "revoke-session", sessionId: kill.id });
    expect(again.body.response.revoked).toBe(false);
    await kit.expectRefused({ action: "revoke-session", sessionId: "ghost" }, 404, "session_not_found");
    await kit.expectRefused({ action: "revoke-session", sessionId: { $ne: "" } }, 400, "invalid_input", "sessionId");
  });

  test("revoke-all-user-sessions revokes them all; unknown user is 404", async () => {
    const userId = await kit.newUser();
    await insertSession(t, userId);
    await insertSession(t, userId);
    const res = await kit.send<{ revokedSessions: number }>({ action: "revoke-all-user-sessions", userId });
    expect(res.body.response.revokedSessions).toBe(2);
    expect(await kit.liveSessionsOf(userId)).toHaveLength(0);
    await kit.expectRefused({ action: "revoke-all-user-sessions", userId: "ghost" }, 404, "user_not_found");
  });
});
