import { afterAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { users } from "../db/schema";
import { createHasher } from "../src/passwords/hasher";
import { createTestContext, FAST_HASH } from "./helpers";
import { bearer, countRows, loginAs, PASSWORD, seedUser } from "./fixtures";

const t = await createTestContext({ env: { RATE_LIMIT_LOGIN_ACCOUNT_IP_MAX: "5" } });
afterAll(() => t.close());

describe("POST /api/auth/login", () => {
  test("answers the full token set and sets the refresh cookie HttpOnly, SameSite=Strict, Path=/api/auth", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 2 }] });
    const res = await t.request("POST", "/api/auth/login", {
      body: { email: user.email.toUpperCase(), password: PASSWORD },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      [
        "accessToken",
        "expiresIn",
        "limited",
        "limitedReason",
        "product",
        "refreshToken",
        "remainingLicenses",
        "seatFreeAt",
        "sessionId",
      ].sort(),
    );
    expect(body).toMatchObject({
      expiresIn: 600,
      limited: false,
      limitedReason: null,
      product: "app",
      seatFreeAt: null,
      remainingLicenses: 1,
    });
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`refreshToken=${body.refreshToken}`);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/api/auth");
    expect(cookie).not.toContain("Secure"); // plain-http development URL
  });

  test("unknown email, wrong password and unset password get the same 401 body", async () => {
    const withPassword = await seedUser(t);
    const noPassword = await seedUser(t, { password: null });
    const attempts = [
      { email: "nobody@example.com", password: PASSWORD },
      { email: withPassword.email, password: "wrong password, long enough" },
      { email: noPassword.email, password: PASSWORD },
    ];
    const bodies = [];
    for (const body of attempts) {
      const res = await t.request("POST", "/api/auth/login", { body });
      expect(res.status).toBe(401);
      bodies.push(await res.json());
    }
    expect(bodies[0]).toEqual({ error: "Email or password is incorrect", code: "invalid_credentials" });
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
  });

  test("every failure path costs one Argon2id verify, like a wrong password (timing)", async () => {
    const real = t.deps.hasher;
    let verifies = 0;
    t.deps.hasher = { ...real, verify: (h, p) => ((verifies += 1), real.verify(h, p)) };
    try {
      const user = await seedUser(t, { password: null });
      await t.request("POST", "/api/auth/login", { body: { email: "ghost@example.com", password: PASSWORD } });
      await t.request("POST", "/api/auth/login", { body: { email: user.email, password: PASSWORD } });
      expect(verifies).toBe(2);
    } finally {
      t.deps.hasher = real;
    }
  });

  test("an inactive account gets 403 account_inactive and no session", async () => {
    const user = await seedUser(t, { status: "INACTIVE" });
    const before = await countRows(t, "sessions");
    const res = await t.request("POST", "/api/auth/login", { body: { email: user.email, password: PASSWORD } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe("account_inactive");
    expect(await countRows(t, "sessions")).toBe(before);
  });

  test("bad input is a 400 naming the field and creates nothing", async () => {
    const before = await countRows(t, "sessions");
    const cases: [unknown, string | undefined][] = [
      [{}, "email"],
      [{ email: "a@b.co" }, "password"],
      [{ email: 42, password: "x" }, "email"],
      [{ email: "a@b.co", password: ["x"] }, "password"],
      [{ email: "a".repeat(400), password: "x" }, "email"],
      [{ email: "a@b.co", password: "x".repeat(2000) }, "password"],
      [{ email: "a@b.co", password: "x", productId: { $gt: "" } }, "productId"],
    ];
    for (const [body, field] of cases) {
      const res = await t.request("POST", "/api/auth/login", { body });
      expect(res.status).toBe(400);
      const json = (await res.json()) as { code: string; field?: string; error: string };
      expect(json.code).toBe("invalid_input");
      expect(json.field).toBe(field);
    }
    for (const raw of ["{not json", "null", "[]", ""]) {
      const res = await t.request("POST", "/api/auth/login", {
        body: raw,
        headers: { "content-type": "application/json" },
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(await countRows(t, "sessions")).toBe(before);
  });

  test("a too-large body is refused with 413", async () => {
    const res = await t.request("POST", "/api/auth/login", {
      body: { email: "a@b.co", password: "p".repeat(100_000) },
    });
    expect(res.status).toBe(413);
  });

  test("repeated failures for one account from one address are throttled with Retry-After; the right password is refused too", async () => {
    const user = await seedUser(t);
    const headers = { "x-forwarded-for": "203.0.113.9" };
    for (let i = 0; i < 5; i++) {
      const res = await t.request("POST", "/api/auth/login", {
        body: { email: user.email, password: `wrong-${i}-long-enough` },
        headers,
      });
      expect(res.status).toBe(401);
    }
    const blocked = await t.request("POST", "/api/auth/login", { body: { email: user.email, password: PASSWORD } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await blocked.json()) as { code: string }).code).toBe("rate_limited");
    // After the window the right password works again.
    t.clock.advance(16 * 60_000);
    const ok = await t.request("POST", "/api/auth/login", { body: { email: user.email, password: PASSWORD } });
    expect(ok.status).toBe(200);
  });

  test("the throttle does not reveal whether an account exists", async () => {
    for (let i = 0; i < 5; i++) {
      await t.request("POST", "/api/auth/login", { body: { email: "ghost2@example.com", password: `nope-${i}` } });
    }
    const res = await t.request("POST", "/api/auth/login", { body: { email: "ghost2@example.com", password: "nope" } });
    expect(res.status).toBe(429);
  });

  test("a hash made with weaker parameters is re-made at the OWASP ones on login", async () => {
    const weak = createHasher({ memorySize: 512, iterations: 1, parallelism: 1 });
    const user = await seedUser(t);
    await t.deps.db.write((tx) =>
      weak.hash(PASSWORD).then((h) => tx.update(users).set({ passwordHash: h }).where(eq(users.id, user.id))),
    );
    await loginAs(t, user);
    const row = await t.deps.db.orm.query.users.findFirst({ where: eq(users.id, user.id) });
    expect(row?.passwordHash).toContain(`m=${FAST_HASH.memorySize},t=${FAST_HASH.iterations},p=1`);
  });

  test("records user agent, and IP and geo only from a trusted proxy", async () => {
    const user = await seedUser(t);
    const headers = { "user-agent": "SeatkeyTest/1.0", "x-forwarded-for": "198.51.100.7", "cf-ipcountry": "NL" };
    const res = await t.request("POST", "/api/auth/login", {
      body: { email: user.email, password: PASSWORD },
      headers,
    });
    const { accessToken } = (await res.json()) as { accessToken: string };
    const me = (await (await t.request("GET", "/api/auth/me", { headers: bearer(accessToken) })).json()) as {
      session: { userAgent: string; ip: string | null; country: string | null };
    };
    expect(me.session.userAgent).toBe("SeatkeyTest/1.0");
    expect(me.session.ip).not.toBe("198.51.100.7"); // TRUST_PROXY is off
    expect(me.session.country).toBeNull();
  });

  test("neither password nor tokens reach the logs", async () => {
    const user = await seedUser(t);
    const { refreshToken } = await loginAs(t, user);
    const logs = t.log.text();
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain(refreshToken.split(".")[1]);
  });
});

describe("trusted proxy", async () => {
  const p = await createTestContext({ env: { TRUST_PROXY: "true", PUBLIC_URL: "https://auth.example.com" } });
  afterAll(() => p.close());

  test("believes the proxy-added X-Forwarded-For entry and geo headers, and marks the cookie Secure on https", async () => {
    const user = await seedUser(p);
    // The client may send its own X-Forwarded-For; the proxy appends the address it saw (the last).
    const headers = { "x-forwarded-for": "10.6.6.6, 198.51.100.7", "cf-ipcountry": "NL", "cf-ipcity": "Utrecht" };
    const res = await p.request("POST", "/api/auth/login", {
      body: { email: user.email, password: PASSWORD },
      headers,
    });
    expect(res.headers.get("set-cookie")).toContain("Secure");
    const { accessToken } = (await res.json()) as { accessToken: string };
    const me = (await (await p.request("GET", "/api/auth/me", { headers: bearer(accessToken) })).json()) as {
      session: { ip: string; country: string; city: string };
    };
    expect(me.session).toMatchObject({ ip: "198.51.100.7", country: "NL", city: "Utrecht" });
  });
});
