import { afterAll, describe, expect, test } from "bun:test";
import { auditLog } from "../db/schema";
import { createTestContext } from "./helpers";
import { countRows, type LoginBody, loginAs, PASSWORD, seatedCount, seedUser, sessionRow } from "./fixtures";
import { FormClient } from "./form-client";

const t = await createTestContext();
afterAll(() => t.close());

const ACCOUNT_COOKIE = "seatkey-account";
const NEW_PASSWORD = "a completely different passphrase";

async function signedIn(user: { email: string; password: string }) {
  const browser = new FormClient(t);
  await browser.get("/login");
  const { res } = await browser.post("/login", { email: user.email, password: user.password });
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe("/account");
  return browser;
}

const refresh = (token: string) => t.request("POST", "/api/auth/refresh-token", { body: { refreshToken: token } });

describe("/login", () => {
  test("signs in with a fresh HttpOnly, SameSite=Lax account cookie and lands on /account", async () => {
    const user = await seedUser(t);
    const browser = new FormClient(t);
    await browser.get("/login");
    const { res } = await browser.post("/login", { email: user.email, password: PASSWORD });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${ACCOUNT_COOKIE}=`)) ?? "";
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/");
    const first = browser.cookies.get(ACCOUNT_COOKIE);
    // Signing in again rotates the cookie and ends the previous account session.
    await browser.get("/logout");
    await browser.post("/login", { email: user.email, password: PASSWORD });
    expect(browser.cookies.get(ACCOUNT_COOKIE)).not.toBe(first);
    expect((await sessionRow(t, (first ?? "").split(".")[0] ?? ""))?.revokedAt).not.toBeNull();
  });

  test("a wrong password shows one generic error with the email kept, never the password", async () => {
    const user = await seedUser(t);
    const browser = new FormClient(t);
    await browser.get("/login");
    const { res, html } = await browser.post("/login", { email: user.email, password: "not the password at all" });
    expect(res.status).toBe(401);
    expect(html).toContain("Email or password is incorrect");
    expect(html).toContain(`value="${user.email}"`);
    expect(html).not.toContain("not the password at all");
    const unknown = await browser.post("/login", { email: "nobody@example.com", password: PASSWORD });
    expect(unknown.html).toContain("Email or password is incorrect");
  });

  test("is rate-limited like the API, with Retry-After", async () => {
    const user = await seedUser(t);
    const browser = new FormClient(t);
    await browser.get("/login");
    for (let i = 0; i < 10; i++) await browser.post("/login", { email: user.email, password: `wrong guess ${i}` });
    const { res, html } = await browser.post("/login", { email: user.email, password: PASSWORD });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(html).toContain("Too many attempts");
  });

  test("a forged post (no CSRF token, wrong token, or another Origin) is 403 and signs nobody in", async () => {
    const user = await seedUser(t);
    const before = await countRows(t, "sessions");
    const browser = new FormClient(t);
    await browser.get("/login");
    const fields = { email: user.email, password: PASSWORD };
    expect((await browser.post("/login", fields, { csrf: null })).res.status).toBe(403);
    expect((await browser.post("/login", fields, { csrf: "forged" })).res.status).toBe(403);
    const crossSite = await browser.post("/login", fields, { headers: { origin: "https://evil.example.com" } });
    expect(crossSite.res.status).toBe(403);
    expect(crossSite.res.headers.get("content-type")).toContain("text/html");
    expect(await countRows(t, "sessions")).toBe(before);
  });
});

describe("/account", () => {
  test("without a session it redirects to /login", async () => {
    const res = await t.request("GET", "/account");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login");
  });

  test("shows profile, licenses with seats used/total, and every device with this one marked", async () => {
    const user = await seedUser(t, { name: "Grace Hopper", licenses: [{ productId: "studio", seats: 3 }] });
    await t.request("POST", "/api/auth/login", {
      body: { email: user.email, password: PASSWORD, productId: "studio" },
      headers: {
        "user-agent":
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      },
    });
    const browser = await signedIn(user);
    const { res, html } = await browser.get("/account");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(html).toContain("Grace Hopper");
    expect(html).toContain(user.email);
    expect(html).toContain("studio");
    expect(html).toContain("1 / 3");
    expect(html).toContain("Safari 17 on iOS");
    expect(html).toContain("This device");
    expect(html).toContain("Account page");
    expect(html).toMatch(/Last active[\s\S]*just now/);
  });

  test("the account session never takes a seat: a 1-seat license stays free for the app", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    await signedIn(user);
    expect(await seatedCount(t, user.id)).toBe(0);
    const app = await loginAs(t, user);
    expect(app.limited).toBe(false);
  });

  test("revoking an app session here ends it at once for refresh, and mails the user", async () => {
    const user = await seedUser(t, { email: "revoke-page@example.com", licenses: [{ seats: 2 }] });
    const login = await t.request("POST", "/api/auth/login", {
      body: { email: user.email, password: user.password },
      headers: { "user-agent": "curl/8.5.0" },
    });
    const app = (await login.json()) as LoginBody;
    const browser = await signedIn(user);
    await browser.get("/account");
    const { res } = await browser.post(`/account/sessions/${app.sessionId}/revoke`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/account?done=revoked&session=${app.sessionId}`);
    // The notice names the device, in words a person uses.
    const page = await browser.get(res.headers.get("location") ?? "");
    expect(page.html).toContain("curl/8.5.0 was signed out. It has to sign in again to use your account.");
    expect((await refresh(app.refreshToken)).status).toBe(401);
    const mail = await t.smtp.waitFor((m) => m.to.includes("revoke-page@example.com"));
    expect(mail.subject.length).toBeGreaterThan(0);
    const audits = await t.deps.db.orm.select().from(auditLog);
    expect(audits.some((a) => a.event === "session.revoked" && a.userId === user.id)).toBe(true);
  });

  test("someone else's session id cannot be revoked from my page", async () => {
    const me = await seedUser(t);
    const other = await seedUser(t, { licenses: [{ seats: 1 }] });
    const theirs = await loginAs(t, other);
    const browser = await signedIn(me);
    await browser.get("/account");
    const { res } = await browser.post(`/account/sessions/${theirs.sessionId}/revoke`, {});
    expect(res.headers.get("location")).toBe("/account?done=not-found");
    expect((await browser.get("/account?done=not-found")).html).toContain("Nothing was changed");
    expect((await refresh(theirs.refreshToken)).status).toBe(200);
  });

  test("a revoke without the CSRF token is 403 and the session lives on", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    const app = await loginAs(t, user);
    const browser = await signedIn(user);
    await browser.get("/account");
    const { res } = await browser.post(`/account/sessions/${app.sessionId}/revoke`, {}, { csrf: null });
    expect(res.status).toBe(403);
    expect((await sessionRow(t, app.sessionId))?.revokedAt).toBeNull();
  });

  test("sign out everywhere else ends every other session but keeps this one", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 3 }] });
    const apps: LoginBody[] = [await loginAs(t, user), await loginAs(t, user)];
    const browser = await signedIn(user);
    // The account page asks first: a confirmation page names the devices that will be signed out.
    expect((await browser.get("/account")).html).toContain('href="/account/sessions/revoke-others"');
    const confirm = await browser.get("/account/sessions/revoke-others");
    expect(confirm.html).toContain("Sign out 2 devices");
    expect(confirm.html).toContain('action="/account/sessions/revoke-others"');
    for (const a of apps) expect((await sessionRow(t, a.sessionId))?.revokedAt).toBeNull();
    const { res } = await browser.post("/account/sessions/revoke-others", {});
    expect(res.headers.get("location")).toBe("/account?done=others");
    for (const a of apps) expect((await refresh(a.refreshToken)).status).toBe(401);
    const page = await browser.get("/account?done=others");
    expect(page.res.status).toBe(200);
    expect(page.html).toContain("Every other device was signed out");
  });

  test("user-controlled text is escaped (user agent, name)", async () => {
    const user = await seedUser(t, { name: '<script>alert("n")</script>', licenses: [{ seats: 1 }] });
    await t.request("POST", "/api/auth/login", {
      body: { email: user.email, password: PASSWORD },
      headers: { "user-agent": '<img src=x onerror=alert(1)>"' },
    });
    const browser = await signedIn(user);
    const { html } = await browser.get("/account");
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain('onerror=alert(1)>"');
    // The header is never shown raw (anyone can send a sentence as their user agent).
    expect(html).toContain("<strong>Unknown device</strong>");
    expect(html).toContain("&lt;script&gt;");
  });
});

describe("/account/password", () => {
  test("needs the current password; errors shown beside the field", async () => {
    const user = await seedUser(t);
    const browser = await signedIn(user);
    await browser.get("/account/password");
    const wrong = await browser.post("/account/password", {
      current: "nope nope nope nope",
      password: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    expect(wrong.res.status).toBe(400);
    expect(wrong.html).toContain("not your current password");
    const weak = await browser.post("/account/password", { current: PASSWORD, password: "short", confirm: "short" });
    expect(weak.res.status).toBe(400);
    expect(weak.html).toContain('id="password-error"');
    const mismatch = await browser.post("/account/password", {
      current: PASSWORD,
      password: NEW_PASSWORD,
      confirm: `${NEW_PASSWORD}!`,
    });
    expect(mismatch.html).toContain('id="confirm-error"');
  });

  test("every wrong field is shown in one round trip; an empty current password is asked for", async () => {
    const user = await seedUser(t);
    const browser = await signedIn(user);
    await browser.get("/account/password");
    const all = await browser.post("/account/password", { current: "", password: "short", confirm: "short" });
    expect(all.res.status).toBe(400);
    expect(all.html).toMatch(/id="current-error"[^>]*>Enter your current password\./);
    expect(all.html).toContain('id="password-error"');
    expect(all.html).not.toContain("not your current password");
    const both = await browser.post("/account/password", {
      current: "nope nope nope nope",
      password: NEW_PASSWORD,
      confirm: `${NEW_PASSWORD}!`,
    });
    expect(both.html).toContain("not your current password");
    expect(both.html).toContain('id="confirm-error"');
    // The error summary lists both and takes the focus.
    expect(both.html).toMatch(/class="alert alert-error"[^>]*autofocus/);
    expect(both.html).toContain('href="#current"');
    expect(both.html).toContain('href="#confirm"');
  });

  test("changing it with 'sign out other devices' ends the others and keeps this page signed in", async () => {
    const user = await seedUser(t, { email: "changer@example.com", licenses: [{ seats: 2 }] });
    const app = await loginAs(t, user);
    const browser = await signedIn(user);
    await browser.get("/account/password");
    const { res } = await browser.post("/account/password", {
      current: PASSWORD,
      password: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
      signOutOthers: "on",
    });
    expect(res.headers.get("location")).toBe("/account?done=password");
    expect((await refresh(app.refreshToken)).status).toBe(401);
    expect((await browser.get("/account")).res.status).toBe(200);
    const old = await t.request("POST", "/api/auth/login", { body: { email: user.email, password: PASSWORD } });
    expect(old.status).toBe(401);
    await loginAs(t, { email: user.email, password: NEW_PASSWORD });
    await t.smtp.waitFor((m) => m.to.includes("changer@example.com"));
  });

  test("without 'sign out other devices' the app sessions keep working", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 2 }] });
    const app = await loginAs(t, user);
    const browser = await signedIn(user);
    await browser.get("/account/password");
    await browser.post("/account/password", { current: PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect((await refresh(app.refreshToken)).status).toBe(200);
  });
});

describe("/logout", () => {
  test("GET shows a confirmation; POST ends the account session and clears the cookie", async () => {
    const user = await seedUser(t);
    const browser = await signedIn(user);
    const sid = (browser.cookies.get(ACCOUNT_COOKIE) ?? "").split(".")[0] ?? "";
    const page = await browser.get("/logout");
    expect(page.html).toContain("Sign out");
    expect((await sessionRow(t, sid))?.revokedAt).toBeNull();
    const { res } = await browser.post("/logout", {});
    expect(res.headers.get("location")).toBe("/login?done=signed-out");
    expect((await sessionRow(t, sid))?.revokedAt).not.toBeNull();
    expect((await browser.get("/account")).res.status).toBe(303);
  });
});
