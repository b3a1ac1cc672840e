import { afterAll, describe, expect, test } from "bun:test";
import { createLocalJWKSet, SignJWT, jwtVerify } from "jose";
import { createTestContext } from "./helpers";

const t = await createTestContext();
afterAll(() => t.close());

describe("JWKS", () => {
  test("publishes the Ed25519 public key with kid, alg and use, and never a private part", async () => {
    const res = await t.request("GET", "/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/jwk-set+json");
    const jwks = (await res.json()) as { keys: Record<string, string>[] };
    expect(jwks.keys).toHaveLength(1);
    const key = jwks.keys[0]!;
    expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig", kid: t.deps.keys.kid });
    expect(key.d).toBeUndefined();
    expect(JSON.stringify(jwks)).not.toContain('"d"');
  });

  test("a token signed with the private key verifies against the published set", async () => {
    const jwks = createLocalJWKSet(JSON.parse(t.deps.keys.jwksJson));
    const token = await new SignJWT({ sub: "u" })
      .setProtectedHeader({ alg: "EdDSA", kid: t.deps.keys.kid })
      .sign(t.deps.keys.privateKey);
    const { payload } = await jwtVerify(token, jwks, { algorithms: ["EdDSA"] });
    expect(payload.sub).toBe("u");
  });
});

describe("health", () => {
  test("reports the database reachable", async () => {
    const res = await t.request("GET", "/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: "ok" });
  });
});

describe("error shape", () => {
  test("unknown /api routes are 404 JSON with error and code", async () => {
    const res = await t.request("GET", "/api/does-not-exist");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = (await res.json()) as Record<string, string>;
    expect(body.code).toBe("not_found");
    expect(typeof body.error).toBe("string");
  });

  test("an oversized body is refused with 413 before parsing", async () => {
    const res = await t.request("POST", "/api/anything", {
      body: "x".repeat(70 * 1024),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe("payload_too_large");
  });
});

describe("CORS", async () => {
  const c = await createTestContext({ env: { CORS_ORIGINS: "https://app.example.com" } });
  afterAll(() => c.close());

  test("only CORS_ORIGINS get Access-Control-Allow-Origin; with none configured there are no CORS headers", async () => {
    const preflight = (ctx: typeof c, origin: string) =>
      ctx.request("OPTIONS", "/api/auth/login", {
        headers: { origin, "access-control-request-method": "POST" },
      });
    const allowed = await preflight(c, "https://app.example.com");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
    const other = await preflight(c, "https://evil.example.com");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const none = await t.request("GET", "/health", { headers: { origin: "https://app.example.com" } });
    expect([...none.headers.keys()].some((k) => k.startsWith("access-control-"))).toBe(false);
  });
});
