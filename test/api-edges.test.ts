// The edges of the JSON API: no caching of any /api answer, and the cookie-setting endpoints
// (login, refresh, logout) refuse what a cross-site form could send (login CSRF).
import { afterAll, describe, expect, test } from "bun:test";
import { bearer, loginAs, PASSWORD, seedUser } from "./fixtures";
import { createTestContext } from "./helpers";

const t = await createTestContext({ env: { CORS_ORIGINS: "https://app.example.com" } });
afterAll(() => t.close());

describe("Cache-Control: no-store on every /api answer", () => {
  test("login, refresh, me, sessions, users, webhook creation, logout and errors", async () => {
    const admin = await seedUser(t, { role: "ADMIN" });
    const res = await t.request("POST", "/api/auth/login", { body: { email: admin.email, password: PASSWORD } });
    const login = (await res.json()) as { accessToken: string; refreshToken: string };
    const auth = bearer(login.accessToken);
    const answers = {
      login: res,
      refresh: await t.request("POST", "/api/auth/refresh", { body: { refreshToken: login.refreshToken } }),
      me: await t.request("GET", "/api/auth/me", { headers: auth }),
      sessions: await t.request("GET", "/api/auth/sessions", { headers: auth }),
      users: await t.request("GET", "/api/users", { headers: auth }),
      webhook: await t.request("POST", "/api/webhooks/create", { body: { name: "shop" }, headers: auth }),
      unauthorized: await t.request("GET", "/api/auth/me"),
      notFound: await t.request("GET", "/api/nothing-here"),
    };
    const statuses = Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, r.status]));
    expect(statuses).toEqual({
      login: 200,
      refresh: 200,
      me: 200,
      sessions: 200,
      users: 200,
      webhook: 201,
      unauthorized: 401,
      notFound: 404,
    });
    for (const [name, answer] of Object.entries(answers)) {
      expect([name, answer.headers.get("cache-control")]).toEqual([name, "no-store"]);
    }
    const { refreshToken } = await loginAs(t, admin);
    const logout = await t.request("POST", "/api/auth/logout", { body: { refreshToken } });
    expect(logout.status).toBe(204);
    expect(logout.headers.get("cache-control")).toBe("no-store");
  });
});

describe("login CSRF: cookie-setting endpoints take JSON from this site only", () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

  test("a form-encoded or text/plain login is 415 and sets no cookie", async () => {
    const user = await seedUser(t);
    for (const type of ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"]) {
      const res = await t.request("POST", "/api/auth/login", {
        body: form({ email: user.email, password: PASSWORD }),
        headers: { "content-type": type },
      });
      expect(res.status).toBe(415);
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(((await res.json()) as { code: string }).code).toBe("unsupported_media_type");
    }
  });

  test("refresh and logout with a form body are 415 too; a bodiless cookie refresh still works", async () => {
    const user = await seedUser(t);
    const { refreshToken } = await loginAs(t, user);
    const formBody = { body: form({ refreshToken }), headers: { "content-type": "application/x-www-form-urlencoded" } };
    expect((await t.request("POST", "/api/auth/refresh", formBody)).status).toBe(415);
    expect((await t.request("POST", "/api/auth/refresh-token", formBody)).status).toBe(415);
    expect((await t.request("POST", "/api/auth/logout", formBody)).status).toBe(415);
    const cookie = await t.request("POST", "/api/auth/refresh", { headers: { cookie: `refreshToken=${refreshToken}` } });
    expect(cookie.status).toBe(200);
  });

  test("a browser request from another site is 403; this site, a CORS origin and apps (no Origin) pass", async () => {
    const user = await seedUser(t);
    const login = (headers: Record<string, string>) =>
      t.request("POST", "/api/auth/login", { body: { email: user.email, password: PASSWORD }, headers });
    const evil = await login({ origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    expect(evil.headers.get("set-cookie")).toBeNull();
    expect((await login({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await login({ origin: "http://localhost:3000", "sec-fetch-site": "same-origin" })).status).toBe(200);
    expect((await login({ origin: "https://app.example.com", "sec-fetch-site": "cross-site" })).status).toBe(200);
    expect((await login({})).status).toBe(200);
  });
});
