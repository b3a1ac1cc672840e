import { afterAll, describe, expect, test } from "bun:test";
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { createTestContext } from "./helpers";
import { signAccessToken, type AccessClaims } from "../src/auth/access-token";
import { deleteUserIn, findUserById, toPublicUser } from "../src/users/service";
import { bearer, loginAs, seedUser } from "./fixtures";

const t = await createTestContext();
afterAll(() => t.close());

const user = await seedUser(t, { name: "Ada", licenses: [{ productId: "pro", seats: 2 }] });
const login = await loginAs(t, user);

const me = (token: string) => t.request("GET", "/api/auth/me", { headers: bearer(token) });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("access token format (RFC 9068)", () => {
  test("EdDSA with kid and typ at+jwt, carrying every claim of the spec", () => {
    const header = decodeProtectedHeader(login.accessToken);
    expect(header).toEqual({ alg: "EdDSA", kid: t.deps.keys.kid, typ: "at+jwt" });
    const claims = decodeJwt(login.accessToken);
    expect(claims).toMatchObject({
      iss: "http://localhost:3000",
      aud: "seatkey",
      sub: user.id,
      sid: login.sessionId,
      role: "OWNER",
      status: "ACTIVE",
      limited: false,
      product: "pro",
      email: user.email,
      name: "Ada",
      licenses: [{ productId: "pro", validUntil: expect.any(Number) }],
    });
    expect(typeof claims.jti).toBe("string");
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);
  });
});

describe("verification pins the algorithm and checks every claim", () => {
  test("a valid token is accepted", async () => {
    expect((await me(login.accessToken)).status).toBe(200);
  });

  test("alg none is refused", async () => {
    const claims = decodeJwt(login.accessToken);
    const unsigned = `${b64({ alg: "none", typ: "at+jwt", kid: t.deps.keys.kid })}.${b64(claims)}.`;
    expect((await me(unsigned)).status).toBe(401);
  });

  test("HS256 signed with the public key (key confusion) is refused", async () => {
    const publicJwk = JSON.parse(t.deps.keys.jwksJson).keys[0];
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const forged = await new SignJWT(decodeJwt(login.accessToken))
      .setProtectedHeader({ alg: "HS256", kid: t.deps.keys.kid, typ: "at+jwt" })
      .sign(secret);
    expect((await me(forged)).status).toBe(401);
    const xBytes = Buffer.from(publicJwk.x, "base64url");
    const forged2 = await new SignJWT(decodeJwt(login.accessToken))
      .setProtectedHeader({ alg: "HS256", kid: t.deps.keys.kid, typ: "at+jwt" })
      .sign(xBytes);
    expect((await me(forged2)).status).toBe(401);
  });

  test("a token signed by another Ed25519 key, or with an unknown kid, is refused", async () => {
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    for (const kid of [t.deps.keys.kid, "unknown-kid"]) {
      const forged = await new SignJWT(decodeJwt(login.accessToken))
        .setProtectedHeader({ alg: "EdDSA", kid, typ: "at+jwt" })
        .sign(privateKey);
      expect((await me(forged)).status).toBe(401);
    }
  });

  test("wrong iss, aud or typ is refused even when properly signed", async () => {
    const sign = (claims: Record<string, unknown>, typ = "at+jwt") =>
      new SignJWT({ ...decodeJwt(login.accessToken), ...claims })
        .setProtectedHeader({ alg: "EdDSA", kid: t.deps.keys.kid, typ })
        .sign(t.deps.keys.privateKey);
    expect((await me(await sign({ iss: "https://evil.example.com" }))).status).toBe(401);
    expect((await me(await sign({ aud: "another-service" }))).status).toBe(401);
    expect((await me(await sign({}, "JWT"))).status).toBe(401);
    expect((await me(await sign({}))).status).toBe(200);
  });

  test("an expired token is refused with token_expired", async () => {
    const fresh = await loginAs(t, user);
    t.clock.advance(601_000);
    const res = await me(fresh.accessToken);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("token_expired");
  });

  test("a token accepted before (kept as verified) is refused once it expires, and checked by its own key set", async () => {
    const fresh = await loginAs(t, user);
    expect((await me(fresh.accessToken)).status).toBe(200);
    expect((await me(fresh.accessToken)).status).toBe(200);
    const other = await createTestContext(); // another key set: the same text proves nothing there
    try {
      expect((await other.request("GET", "/api/auth/me", { headers: bearer(fresh.accessToken) })).status).toBe(401);
    } finally {
      await other.close();
    }
    t.clock.advance(600_000); // exp is iat + 600 s: expired at exactly that second
    const res = await me(fresh.accessToken);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("token_expired");
    t.clock.advance(-600_000);
  });

  test("a tampered payload is refused", async () => {
    const [h, , s] = login.accessToken.split(".");
    const claims = { ...decodeJwt(login.accessToken), role: "ADMIN" };
    expect((await me(`${h}.${b64(claims)}.${s}`)).status).toBe(401);
  });
});

describe("me reads the user and the session of the token in one statement", () => {
  test("the user as the users service shows it and the session marked current; after logout it holds no seat", async () => {
    const ada = await seedUser(t, { name: "Ada L", licenses: [{ productId: "pro", seats: 1 }] });
    const fresh = await loginAs(t, ada);
    const body = (await (await me(fresh.accessToken)).json()) as {
      user: Record<string, unknown>;
      session: { id: string; current: boolean; limited: boolean; seated: boolean } | null;
    };
    const stored = await findUserById(t.deps, ada.id);
    expect(body.user).toEqual(JSON.parse(JSON.stringify(toPublicUser(stored!))));
    expect(body.session).toMatchObject({ id: fresh.sessionId, current: true, limited: false, seated: true });
    await t.request("POST", "/api/auth/logout", { body: { refreshToken: fresh.refreshToken } });
    const after = (await (await me(fresh.accessToken)).json()) as { session: { seated: boolean } | null };
    expect(after.session).toMatchObject({ seated: false }); // the token outlives its session by design
  });

  test("a token whose user is gone is 401; one naming another user's session shows no session", async () => {
    const gone = await seedUser(t, { licenses: [{ productId: "pro", seats: 1 }] });
    const goneLogin = await loginAs(t, gone);
    await t.deps.db.write((tx) => deleteUserIn(tx, t.deps, gone.id, { actor: "test" }));
    const res = await me(goneLogin.accessToken);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("invalid_token");

    const other = await seedUser(t, { licenses: [{ productId: "pro", seats: 1 }] });
    const otherLogin = await loginAs(t, other);
    const claims = decodeJwt(login.accessToken) as unknown as AccessClaims;
    const forged = await signAccessToken(t.deps, {
      user: { id: user.id, role: claims.role, status: claims.status, email: claims.email, name: claims.name },
      sessionId: otherLogin.sessionId, // a real session, but not this user's
      limited: false,
      limitedReason: null,
      product: "pro",
      licenses: [],
    });
    const mine = await me(forged);
    expect(mine.status).toBe(200);
    expect((await mine.json()) as { user: { id: string }; session: unknown }).toMatchObject({
      user: { id: user.id },
      session: null,
    });
  });
});

describe("a third server verifies tokens with only the JWKS URL and jose", () => {
  test("createRemoteJWKSet + jwtVerify, pinned to EdDSA", async () => {
    const server = t.app.listen({ port: 0, hostname: "127.0.0.1" });
    try {
      const fresh = await loginAs(t, user);
      const jwksUrl = new URL(`http://127.0.0.1:${server.server?.port}/.well-known/jwks.json`);
      // --- what a resource server runs (README snippet) ---
      const JWKS = createRemoteJWKSet(jwksUrl);
      const { payload, protectedHeader } = await jwtVerify(fresh.accessToken, JWKS, {
        algorithms: ["EdDSA"],
        issuer: "http://localhost:3000",
        audience: "seatkey",
        typ: "at+jwt",
        currentDate: new Date(t.clock.now()),
      });
      expect(payload.sub).toBe(user.id);
      expect(protectedHeader.kid).toBe(t.deps.keys.kid);
      // And it rejects a token from a stranger's key.
      const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
      const forged = await new SignJWT({ sub: user.id })
        .setProtectedHeader({ alg: "EdDSA", kid: t.deps.keys.kid })
        .sign(privateKey);
      await expect(jwtVerify(forged, JWKS, { algorithms: ["EdDSA"] })).rejects.toThrow();
    } finally {
      await server.stop();
    }
  });
});
