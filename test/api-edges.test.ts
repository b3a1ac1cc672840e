// The edges of the JSON API: no caching of any /api answer, and the cookie-setting endpoints
// (login, refresh, logout) refuse what a cross-site form could send (login CSRF).
import { afterAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
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
    const cookie = await t.request("POST", "/api/auth/refresh", {
      headers: { cookie: `refreshToken=${refreshToken}` },
    });
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

describe("the refresh cookie on https", async () => {
  const https = await createTestContext({ env: { PUBLIC_URL: "https://auth.example.com" } });
  afterAll(() => https.close());

  test("is __Secure-refreshToken (Secure); only that name is read and an old unprefixed cookie is cleared", async () => {
    const user = await seedUser(https);
    const res = await https.request("POST", "/api/auth/login", { body: { email: user.email, password: PASSWORD } });
    const { refreshToken } = (await res.json()) as { refreshToken: string };
    const set = res.headers.get("set-cookie") ?? "";
    expect(set).toStartWith(`__Secure-refreshToken=${refreshToken};`);
    expect(set).toContain("Secure");

    const legacy = await https.request("POST", "/api/auth/refresh", {
      headers: { cookie: `refreshToken=${refreshToken}` },
    });
    expect(legacy.status).toBe(401);
    expect(legacy.headers.get("set-cookie")).toMatch(/^refreshToken=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i);

    const prefixed = await https.request("POST", "/api/auth/refresh", {
      headers: { cookie: `__Secure-refreshToken=${refreshToken}` },
    });
    expect(prefixed.status).toBe(200);
    expect(prefixed.headers.get("set-cookie")).toStartWith("__Secure-refreshToken=");
  });
});

describe("a request body that stalls mid-upload", async () => {
  const slow = await createTestContext({ env: { BODY_IDLE_TIMEOUT: "1" } });
  const server = slow.app.listen({ port: 0, hostname: "127.0.0.1" });
  afterAll(async () => {
    await server.stop(true);
    await slow.close();
  });

  test("is cut after BODY_IDLE_TIMEOUT of silence (Bun's timer ticks every ~4 s), not Bun's default 10 s", async () => {
    const port = server.server?.port ?? 0;
    const started = performance.now();
    const closed = new Promise<{ ms: number; data: string }>((resolve) => {
      let data = "";
      const socket = connect(port, "127.0.0.1", () =>
        socket.write(
          "POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
            'Content-Length: 200\r\n\r\n{"email":"a@example.com",',
        ),
      );
      socket.on("data", (chunk) => (data += String(chunk)));
      socket.on("close", () => resolve({ ms: performance.now() - started, data }));
    });
    const { ms, data } = await closed;
    expect(data).not.toContain("200 OK");
    expect(ms).toBeLessThan(9_000);
  }, 20_000);
});
