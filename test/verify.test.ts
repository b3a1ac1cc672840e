// seatkey/verify against a live server: tokens from a real login, the JWKS over real HTTP, and
// the Elysia, Hono and Express adapters each serving on their own 127.0.0.1 port.
import { afterAll, describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import express from "express";
import { Hono } from "hono";
import type { AddressInfo } from "node:net";
import { decodeJwt, generateKeyPair, SignJWT } from "jose";
import { createVerifier, hasSeat, requireSeat, VerifyError } from "../src/verify";
import { seatkeyPlugin } from "../src/verify/elysia";
import { claimsOf, seatkeyExpress } from "../src/verify/express";
import { seatkeyMiddleware, type SeatkeyHonoEnv } from "../src/verify/hono";
import { loginAs, seedUser } from "./fixtures";
import { startLiveApp } from "./live-app";

const live = await startLiveApp();
const { t, baseUrl } = live;
const verifier = createVerifier({
  issuer: baseUrl,
  audience: "seatkey",
  jwksUrl: `${baseUrl}/.well-known/jwks.json`,
  now: () => t.clock.now(),
});

const seated = await loginAs(t, await seedUser(t, { licenses: [{ productId: "app", seats: 2 }] }), {
  productId: "app",
});
const limited = await loginAs(t, await seedUser(t)); // no license: limited
const otherProduct = await loginAs(t, await seedUser(t, { licenses: [{ productId: "other", seats: 1 }] }));

// The `product` claim comes with the seat-integrity change (issue 12). Until the server issues it,
// the tests that need it are skipped, loudly; they run by themselves once it does.
const HAS_PRODUCT_CLAIM = "product" in decodeJwt(seated.accessToken);
if (!HAS_PRODUCT_CLAIM) console.warn("verify.test.ts: the server issues no `product` claim yet: product tests skipped");
const withProduct = test.skipIf(!HAS_PRODUCT_CLAIM);

/** The seated token's claims signed by a key seatkey never had, under seatkey's own kid. */
async function forge(): Promise<string> {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  return new SignJWT(decodeJwt(seated.accessToken))
    .setProtectedHeader({ alg: "EdDSA", kid: t.deps.keys.kid, typ: "at+jwt" })
    .sign(privateKey);
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VerifyError) return `${error.status} ${error.code}`;
    throw error;
  }
  return "accepted";
}

describe("createVerifier → verify", () => {
  withProduct("a live token verifies, with its typed claims (product: the seat's product)", async () => {
    const claims = await verifier.verify(seated.accessToken);
    expect(claims).toMatchObject({
      iss: baseUrl,
      aud: "seatkey",
      sid: seated.sessionId,
      limited: false,
      product: "app",
    });
    expect(hasSeat(claims, "app")).toBe(true);
    expect(hasSeat(claims, "pro")).toBe(false);
  });

  test("forged, alg none, wrong typ, wrong audience and garbage are invalid_token", async () => {
    const claims = decodeJwt(seated.accessToken);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const none = `${b64({ alg: "none", typ: "at+jwt", kid: t.deps.keys.kid })}.${b64(claims)}.`;
    const [header, payload, signature] = seated.accessToken.split(".");
    const idToken = `${b64({ alg: "EdDSA", kid: t.deps.keys.kid, typ: "JWT" })}.${payload}.${signature}`;
    for (const token of [
      await forge(),
      none,
      idToken,
      `${header}.${b64({ ...claims, limited: "no" })}.${signature}`,
      "x.y.z",
    ]) {
      expect(await refusal(verifier.verify(token))).toBe("401 invalid_token");
    }
    const otherAudience = createVerifier({
      issuer: baseUrl,
      audience: "other",
      jwksUrl: `${baseUrl}/.well-known/jwks.json`,
      now: () => t.clock.now(),
    });
    expect(await refusal(otherAudience.verify(seated.accessToken))).toBe("401 invalid_token");
    expect(await refusal(verifier.verify(""))).toBe("401 missing_token");
  });

  test("requireSeat: a limited session holds no seat (no_seat)", async () => {
    const claims = await verifier.verify(limited.accessToken);
    expect(claims.limited).toBe(true);
    expect(() => requireSeat(claims, "app")).toThrow(VerifyError);
    expect(await refusal(verifier.verifyAuthorization(`Bearer ${limited.accessToken}`, "app"))).toBe("403 no_seat");
  });

  withProduct("requireSeat: a seat of another product is wrong_product", async () => {
    const other = await verifier.verify(otherProduct.accessToken);
    expect(other.product).toBe("other");
    expect(() => requireSeat(other, "app")).toThrow(VerifyError);
    expect(await refusal(verifier.verifyAuthorization(`Bearer ${otherProduct.accessToken}`, "app"))).toBe(
      "403 wrong_product",
    );
  });
});

/** One app per framework, each with the same two routes: /any (any valid token) and /app (a seat of app). */
async function startAdapters() {
  const elysia = new Elysia()
    .use(seatkeyPlugin(verifier))
    .get("/any", ({ seatkey }) => ({ sub: seatkey.sub }), { seatkey: true })
    .get("/app", ({ seatkey }) => ({ sub: seatkey.sub, product: seatkey.product }), { seatkey: "app" })
    .listen({ port: 0, hostname: "127.0.0.1" });

  const hono = new Hono<SeatkeyHonoEnv>()
    .get("/any", seatkeyMiddleware(verifier), (c) => c.json({ sub: c.get("seatkey").sub }))
    .get("/app", seatkeyMiddleware(verifier, { product: "app" }), (c) =>
      c.json({ sub: c.get("seatkey").sub, product: c.get("seatkey").product }),
    );
  const honoServer = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: hono.fetch });

  const app = express();
  app.get("/any", seatkeyExpress(verifier), (req, res) => void res.json({ sub: claimsOf(req).sub }));
  app.get(
    "/app",
    seatkeyExpress(verifier, { product: "app" }),
    (req, res) => void res.json({ sub: claimsOf(req).sub, product: claimsOf(req).product }),
  );
  const expressServer = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => resolve(server));
  });

  return {
    urls: {
      elysia: `http://127.0.0.1:${elysia.server?.port}`,
      hono: `http://127.0.0.1:${honoServer.port}`,
      express: `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`,
    },
    async close() {
      await elysia.stop(true);
      await honoServer.stop(true);
      await new Promise((resolve) => expressServer.close(resolve));
    },
  };
}

const adapters = await startAdapters();
afterAll(async () => {
  await adapters.close();
  await live.close();
});

async function call(url: string, token?: string) {
  const res = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe.each(["elysia", "hono", "express"] as const)("%s adapter on a real port", (name) => {
  const url = (path: string) => `${adapters.urls[name]}${path}`;

  withProduct("a live seated token passes both routes, with its claims in the handler", async () => {
    const me = await verifier.verify(seated.accessToken);
    expect(await call(url("/any"), seated.accessToken)).toEqual({ status: 200, body: { sub: me.sub } });
    expect(await call(url("/app"), seated.accessToken)).toEqual({ status: 200, body: { sub: me.sub, product: "app" } });
  });

  test("no token, a forged one: 401 with seatkey's error body", async () => {
    expect(await call(url("/any"))).toMatchObject({
      status: 401,
      body: { code: "missing_token", error: expect.any(String) },
    });
    expect(await call(url("/app"), await forge())).toMatchObject({ status: 401, body: { code: "invalid_token" } });
  });

  test("a limited token is a valid token that holds no seat: /any 200, /app 403", async () => {
    expect((await call(url("/any"), limited.accessToken)).status).toBe(200);
    expect(await call(url("/app"), limited.accessToken)).toMatchObject({ status: 403, body: { code: "no_seat" } });
  });

  withProduct("a token of another product's seat: /app 403 wrong_product", async () => {
    expect(await call(url("/app"), otherProduct.accessToken)).toMatchObject({
      status: 403,
      body: { code: "wrong_product" },
    });
  });
});

// Last: it moves the shared clock past every token's expiry.
test("expired tokens are refused by every adapter (401 token_expired)", async () => {
  t.clock.advance(601_000);
  for (const name of ["elysia", "hono", "express"] as const) {
    expect(await call(`${adapters.urls[name]}/app`, seated.accessToken)).toMatchObject({
      status: 401,
      body: { code: "token_expired" },
    });
  }
});
