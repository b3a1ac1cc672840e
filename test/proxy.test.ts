// Client addresses behind a trusted proxy (README "Behind a proxy"): one configured header and hop
// count, only valid addresses, ::ffff: mapped to IPv4, and rate limits per IPv6 /64.
import { afterAll, describe, expect, test } from "bun:test";
import { normalizeIp, rateLimitBucket } from "../src/lib/ip";
import { clientIp } from "../src/web/client";
import { bearer, PASSWORD, seedUser } from "./fixtures";
import { createTestContext } from "./helpers";

const request = (headers: Record<string, string>) => new Request("http://localhost/", { headers });
const socket = (address: string) => ({ requestIP: () => ({ address }) });

describe("addresses", () => {
  test("only valid IPv4 / IPv6 addresses survive, in one canonical form", () => {
    expect(normalizeIp("<b>x0</b>")).toBeNull();
    expect(normalizeIp("unknown")).toBeNull();
    expect(normalizeIp("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(normalizeIp("::FFFF:198.51.100.7")).toBe("198.51.100.7");
    expect(normalizeIp("198.51.100.7:5678")).toBe("198.51.100.7");
    expect(normalizeIp("[2001:DB8:0:0:0:0:0:1]:443")).toBe("2001:db8::1");
    expect(normalizeIp("fe80::1%eth0")).toBe("fe80::1");
  });

  test("rate limits bucket an IPv6 address by its /64 and an IPv4 address by itself", () => {
    expect(rateLimitBucket("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(rateLimitBucket("2001:db8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(rateLimitBucket("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(rateLimitBucket("198.51.100.7")).toBe("198.51.100.7");
    expect(rateLimitBucket(null)).toBe("-");
  });
});

describe("clientIp", () => {
  const xff = { header: "x-forwarded-for", hops: 1 } as const;

  test("without TRUST_PROXY, forwarded headers are ignored and the socket address is normalised", () => {
    const req = request({ "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9" });
    expect(clientIp(req, socket("::ffff:192.0.2.1"), false)).toBe("192.0.2.1");
  });

  test("only the configured header is read: a client's X-Forwarded-For never beats the proxy's X-Real-IP", () => {
    const req = request({ "x-forwarded-for": "10.6.6.6", "x-real-ip": "198.51.100.7" });
    expect(clientIp(req, socket("127.0.0.1"), { header: "x-real-ip", hops: 1 })).toBe("198.51.100.7");
    // With X-Forwarded-For configured, a missing header falls back to the socket, not to X-Real-IP.
    expect(clientIp(request({ "x-real-ip": "10.6.6.6" }), socket("127.0.0.1"), xff)).toBe("127.0.0.1");
  });

  test("X-Forwarded-For is read `hops` entries from the right; client-sent entries are ignored", () => {
    const req = request({ "x-forwarded-for": "10.6.6.6, 198.51.100.7, 203.0.113.5" });
    expect(clientIp(req, socket("127.0.0.1"), xff)).toBe("203.0.113.5");
    expect(clientIp(req, socket("127.0.0.1"), { header: "x-forwarded-for", hops: 2 })).toBe("198.51.100.7");
  });

  test("a value that is not an address is never used (the socket address stands in)", () => {
    const req = request({ "x-forwarded-for": "<b>x0</b>" });
    expect(clientIp(req, socket("127.0.0.1"), xff)).toBe("127.0.0.1");
  });
});

describe("behind a trusted proxy, over HTTP", async () => {
  const t = await createTestContext({ env: { TRUST_PROXY: "true", RATE_LIMIT_LOGIN_ACCOUNT_IP_MAX: "3" } });
  afterAll(() => t.close());

  test("failed logins from many addresses of one IPv6 /64 share one bucket", async () => {
    const user = await seedUser(t);
    const attempt = (i: number) =>
      t.request("POST", "/api/auth/login", {
        body: { email: user.email, password: "not the password at all" },
        headers: { "x-forwarded-for": `2001:db8:7:7:${i.toString(16)}::1` },
      });
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) statuses.push((await attempt(i)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Another /64 is another bucket.
    const other = await t.request("POST", "/api/auth/login", {
      body: { email: user.email, password: PASSWORD },
      headers: { "x-forwarded-for": "2001:db8:8:8::1" },
    });
    expect(other.status).toBe(200);
  });

  test("a forged address is not stored on the session", async () => {
    const user = await seedUser(t);
    const res = await t.request("POST", "/api/auth/login", {
      body: { email: user.email, password: PASSWORD },
      headers: { "x-forwarded-for": "<b>x0</b>" },
    });
    const { accessToken } = (await res.json()) as { accessToken: string };
    const me = await t.json<{ session: { ip: string | null } }>(
      await t.request("GET", "/api/auth/me", { headers: bearer(accessToken) }),
    );
    expect(me.session.ip).toBeNull(); // no socket in app.handle(): nothing believable is left
  });
});
