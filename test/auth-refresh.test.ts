import { afterAll, describe, expect, test } from "bun:test";
import { auditLog } from "../db/schema";
import { createTestContext } from "./helpers";
import { bearer, type LoginBody, loginAs, seedUser, sessionRow } from "./fixtures";

const t = await createTestContext();
afterAll(() => t.close());

const refresh = (token: string, path = "/api/auth/refresh-token") =>
  t.request("POST", path, { body: { refreshToken: token } });

async function refreshOk(token: string): Promise<LoginBody> {
  const res = await refresh(token);
  expect(res.status).toBe(200);
  return (await res.json()) as LoginBody;
}

describe("refresh rotation", () => {
  test("every refresh rotates the token; the cookie and the /refresh alias work too", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    const first = await loginAs(t, user);
    const second = await refreshOk(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.sessionId).toBe(first.sessionId);
    const viaCookie = await t.request("POST", "/api/auth/refresh", {
      headers: { cookie: `refreshToken=${second.refreshToken}` },
    });
    expect(viaCookie.status).toBe(200);
    const third = (await viaCookie.json()) as LoginBody;
    expect(viaCookie.headers.get("set-cookie")).toContain(`refreshToken=${third.refreshToken}`);
    expect(third.refreshToken).not.toBe(second.refreshToken);
  });

  test("the database holds no refresh token in plaintext", async () => {
    const user = await seedUser(t);
    const { refreshToken } = await loginAs(t, user);
    const next = await refreshOk(refreshToken);
    const dump = JSON.stringify((await t.deps.db.client.execute("SELECT * FROM sessions")).rows);
    for (const token of [refreshToken, next.refreshToken]) expect(dump).not.toContain(token.split(".")[1]);
  });

  test("inside the grace window the replaced token gets the same successor (no fork)", async () => {
    const user = await seedUser(t);
    const first = await loginAs(t, user);
    const a = await refreshOk(first.refreshToken);
    t.clock.advance(10_000);
    const b = await refreshOk(first.refreshToken);
    expect(b.refreshToken).toBe(a.refreshToken);
    // The successor keeps working for both holders.
    const c = await refreshOk(a.refreshToken);
    expect(c.sessionId).toBe(first.sessionId);
  });

  test("two refreshes racing with one token: one rotation, both get the same successor", async () => {
    const user = await seedUser(t);
    const first = await loginAs(t, user);
    const answers = await Promise.all(Array.from({ length: 10 }, () => refresh(first.refreshToken)));
    const tokens = new Set<string>();
    for (const res of answers) {
      expect(res.status).toBe(200);
      tokens.add(((await res.json()) as LoginBody).refreshToken);
    }
    expect(tokens.size).toBe(1);
  });

  test("the replaced token after the grace window is reuse: session revoked, audited, user mailed", async () => {
    const user = await seedUser(t, { email: "reuse@example.com" });
    const first = await loginAs(t, user);
    const second = await refreshOk(first.refreshToken);
    t.clock.advance(31_000);
    const reuse = await refresh(first.refreshToken);
    expect(reuse.status).toBe(401);
    expect(((await reuse.json()) as { code: string }).code).toBe("token_reused");
    expect((await sessionRow(t, first.sessionId))?.revokedAt).not.toBeNull();
    // Every token of the session now fails — including the newest, whose holder learns why.
    const after = await refresh(second.refreshToken);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { code: string }).code).toBe("token_reused");
    const audits = await t.deps.db.orm.select().from(auditLog);
    expect(audits.some((a) => a.event === "refresh.reuse_detected" && a.userId === user.id)).toBe(true);
    const mail = await t.smtp.waitFor((m) => m.to.includes("reuse@example.com"));
    expect(mail.text.length).toBeGreaterThan(0);
  });

  test("an older token (two rotations back) is reuse even inside the window", async () => {
    const user = await seedUser(t);
    const t0 = await loginAs(t, user);
    const t1 = await refreshOk(t0.refreshToken);
    await refreshOk(t1.refreshToken);
    const res = await refresh(t0.refreshToken);
    expect(res.status).toBe(401);
    expect((await sessionRow(t, t0.sessionId))?.revokedAt).not.toBeNull();
  });

  test("junk, forged and foreign tokens are 401 invalid_token and change nothing", async () => {
    const user = await seedUser(t);
    const { refreshToken, sessionId } = await loginAs(t, user);
    const before = await sessionRow(t, sessionId);
    const forged = `${sessionId}.${"A".repeat(43)}`;
    for (const token of ["", "junk", "a.b", forged, `${sessionId}.${refreshToken}`, "x".repeat(150), "' OR 1=1 --"]) {
      const res = await refresh(token);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toMatch(/invalid_token|missing_token/);
    }
    expect(await sessionRow(t, sessionId)).toEqual(before);
    const wrongType = await t.request("POST", "/api/auth/refresh-token", { body: { refreshToken: 12 } });
    expect(wrongType.status).toBe(400);
    expect(await refreshOk(refreshToken)).toBeTruthy();
  });

  test("a session expires after SESSION_TTL", async () => {
    const user = await seedUser(t);
    const { refreshToken } = await loginAs(t, user);
    t.clock.advance(t.deps.config.sessionTtl * 1000 + 1);
    const res = await refresh(refreshToken);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("session_expired");
  });
});

describe("logout, me and own sessions", () => {
  test("logout revokes the session (204) and its refresh token stops working", async () => {
    const user = await seedUser(t);
    const { refreshToken } = await loginAs(t, user);
    const res = await t.request("POST", "/api/auth/logout", { headers: { cookie: `refreshToken=${refreshToken}` } });
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await refresh(refreshToken)).status).toBe(401);
    expect((await t.request("POST", "/api/auth/logout", {})).status).toBe(401);
  });

  test("logout with a stale refresh token (replaced, after the grace window) is reuse: session revoked and audited", async () => {
    const user = await seedUser(t);
    const { refreshToken: stale, sessionId } = await loginAs(t, user);
    const rotated = await refresh(stale);
    expect(rotated.status).toBe(200);
    const { refreshToken: current } = (await rotated.json()) as { refreshToken: string };
    t.clock.advance((t.deps.config.refreshGrace + 1) * 1000);
    const res = await t.request("POST", "/api/auth/logout", { body: { refreshToken: stale } });
    expect(res.status).toBe(204);
    expect(await sessionRow(t, sessionId)).toMatchObject({ revokeReason: "refresh_token_reuse" });
    expect((await refresh(current)).status).toBe(401);
    const audited = await t.deps.db.client.execute({
      sql: "SELECT count(*) AS n FROM audit_log WHERE event = 'refresh.reuse_detected' AND detail LIKE ?",
      args: [`%${sessionId}%`],
    });
    expect(Number(audited.rows[0]?.n)).toBe(1);
  });

  test("logout with the token just replaced, inside the grace window, is an ordinary logout", async () => {
    const user = await seedUser(t);
    const { refreshToken: previous, sessionId } = await loginAs(t, user);
    expect((await refresh(previous)).status).toBe(200);
    const res = await t.request("POST", "/api/auth/logout", { body: { refreshToken: previous } });
    expect(res.status).toBe(204);
    expect(await sessionRow(t, sessionId)).toMatchObject({ revokeReason: "logout" });
  });

  test("me shows the user without a password hash, licenses with seats, and this session", async () => {
    const user = await seedUser(t, { licenses: [{ productId: "pro", seats: 3 }] });
    const { accessToken, sessionId } = await loginAs(t, user, { productId: "pro" });
    const res = await t.request("GET", "/api/auth/me", { headers: bearer(accessToken) });
    expect(res.status).toBe(200);
    const me = (await res.json()) as Record<string, any>;
    expect(me.user.email).toBe(user.email);
    expect(JSON.stringify(me)).not.toContain("passwordHash");
    expect(JSON.stringify(me)).not.toContain("argon2");
    expect(me.licenses[0]).toMatchObject({ productId: "pro", seats: 3, valid: true, seatsUsed: 1 });
    expect(me.seats).toEqual({ total: 3, used: 1 });
    expect(me.session).toMatchObject({ id: sessionId, current: true, seated: true });
    expect(JSON.stringify(me.session)).not.toContain("Hash");
  });

  test("sessions lists my live sessions; I can revoke mine, another user's is 404", async () => {
    const me = await seedUser(t, { email: "owner-sessions@example.com", licenses: [{ seats: 5 }] });
    const other = await seedUser(t);
    const a = await loginAs(t, me);
    const b = await loginAs(t, me);
    const theirs = await loginAs(t, other);
    const list = (await (await t.request("GET", "/api/auth/sessions", { headers: bearer(a.accessToken) })).json()) as {
      sessions: { id: string; current: boolean }[];
    };
    expect(list.sessions.map((s) => s.id).sort()).toEqual([a.sessionId, b.sessionId].sort());
    expect(list.sessions.find((s) => s.id === a.sessionId)?.current).toBe(true);

    const foreign = await t.request("DELETE", `/api/auth/sessions/${theirs.sessionId}`, {
      headers: bearer(a.accessToken),
    });
    expect(foreign.status).toBe(404);
    expect((await refresh(theirs.refreshToken)).status).toBe(200);

    const mine = await t.request("DELETE", `/api/auth/sessions/${b.sessionId}`, { headers: bearer(a.accessToken) });
    expect(mine.status).toBe(204);
    expect((await refresh(b.refreshToken)).status).toBe(401);
    const again = await t.request("DELETE", `/api/auth/sessions/${b.sessionId}`, { headers: bearer(a.accessToken) });
    expect(again.status).toBe(404);
    await t.smtp.waitFor((m) => m.to.includes("owner-sessions@example.com"));
  });

  test("Bearer routes refuse a missing or junk token with 401", async () => {
    for (const headers of [{}, { authorization: "Bearer" }, { authorization: "Basic abc" }, bearer("a.b.c")]) {
      const res = await t.request("GET", "/api/auth/sessions", { headers });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toMatch(/missing_token|invalid_token/);
    }
  });
});
