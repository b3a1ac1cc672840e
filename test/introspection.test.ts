// RFC 7662 introspection: a resource server holding a client credential asks whether an access
// or refresh token is usable right now. Every unusable token is the same { active: false }.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { users } from "../db/schema";
import { bearer, loginAs, seedUser } from "./fixtures";
import { createTestContext, type TestContext } from "./helpers";

let t: TestContext;
let other: TestContext;
let admin: { email: string; password: string };
/** A fresh admin access token (tests move the clock past older ones). */
const adminToken = async () => (await loginAs(t, admin)).accessToken;
let client: { clientId: string; clientSecret: string };

const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`,
});

function ask(ctx: TestContext, token: string, creds = client, hint?: string) {
  const form = new URLSearchParams({ token, ...(hint ? { token_type_hint: hint } : {}) });
  return ctx.request("POST", "/api/auth/introspect", {
    body: form.toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", ...basic(creds.clientId, creds.clientSecret) },
  });
}

async function answer(token: string, hint?: string) {
  const res = await ask(t, token, client, hint);
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  return (await res.json()) as Record<string, unknown>;
}

async function newClient(ctx: TestContext, token: string, name = "api server") {
  const res = await ctx.request("POST", "/api/admin/introspection-clients", { body: { name }, headers: bearer(token) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; clientId: string; clientSecret: string };
}

beforeAll(async () => {
  t = await createTestContext({ env: { RATE_LIMIT_INTROSPECT_CLIENT_MAX: "40" } });
  other = await createTestContext();
  admin = await seedUser(t, { role: "ADMIN", email: "admin@example.com" });
  client = await newClient(t, await adminToken());
});
afterAll(async () => {
  await t.close();
  await other.close();
});

describe("introspection answers", () => {
  test("a live access token is active, with sub, sid, exp, iat, product, limited and the asking client_id", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    const login = await loginAs(t, user, { productId: "app" });
    const body = await answer(login.accessToken);
    expect(body).toMatchObject({
      active: true,
      token_type: "access_token",
      sub: user.id,
      sid: login.sessionId,
      product: "app",
      limited: false,
      client_id: client.clientId,
    });
    expect(body.exp).toBe((body.iat as number) + t.deps.config.accessTokenTtl);
    expect(JSON.stringify(body)).not.toContain(login.refreshToken);
  });

  test("a live refresh token is active (hint or not); an old rotated one is inactive and changes nothing", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    const login = await loginAs(t, user);
    expect(await answer(login.refreshToken, "refresh_token")).toMatchObject({
      active: true,
      token_type: "refresh_token",
      sub: user.id,
      sid: login.sessionId,
    });
    expect((await answer(login.refreshToken)).active).toBe(true);
    t.clock.advance((t.deps.config.refreshGrace + 1) * 1000);
    const rotated = await t.request("POST", "/api/auth/refresh", { body: { refreshToken: login.refreshToken } });
    const next = (await rotated.json()) as { refreshToken: string };
    t.clock.advance((t.deps.config.refreshGrace + 1) * 1000);
    expect(await answer(login.refreshToken, "refresh_token")).toEqual({ active: false });
    // Introspection never counts as reuse: the session lives on.
    expect((await answer(next.refreshToken, "refresh_token")).active).toBe(true);
    const again = await t.request("POST", "/api/auth/refresh", { body: { refreshToken: next.refreshToken } });
    expect(again.status).toBe(200);
  });

  test("a revoked session's unexpired access token is inactive at once, and its refresh token too", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    const login = await loginAs(t, user);
    expect((await answer(login.accessToken)).active).toBe(true);
    const out = await t.request("POST", "/api/auth/logout", { body: { refreshToken: login.refreshToken } });
    expect(out.status).toBe(204);
    expect(await answer(login.accessToken)).toEqual({ active: false });
    expect(await answer(login.refreshToken)).toEqual({ active: false });
    // Offline verification would still accept it: it has not expired.
    const me = await t.request("GET", "/api/auth/me", { headers: bearer(login.accessToken) });
    expect(me.status).toBe(200);
  });

  test("every other unusable token is { active: false }: expired, tampered, inactive user, expired session, unknown", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    const login = await loginAs(t, user);
    const [head, payload, sig] = login.accessToken.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...claims, sub: "someone-else" })).toString("base64url")}.${sig}`;
    const flipped = `${head}.${payload}.${sig.slice(0, -2)}${sig.endsWith("AA") ? "BA" : "AA"}`;
    const unknownRefresh = `${"A".repeat(22)}.${"B".repeat(43)}`;
    for (const token of [forged, flipped, unknownRefresh, "not a token", "a.b.c"]) {
      expect(await answer(token)).toEqual({ active: false });
    }

    await t.deps.db.write((tx) => tx.update(users).set({ status: "INACTIVE" }).where(eq(users.id, user.id)));
    expect(await answer(login.accessToken)).toEqual({ active: false });
    expect(await answer(login.refreshToken)).toEqual({ active: false });
    await t.deps.db.write((tx) => tx.update(users).set({ status: "ACTIVE" }).where(eq(users.id, user.id)));
    expect((await answer(login.accessToken)).active).toBe(true);

    t.clock.advance((t.deps.config.accessTokenTtl + 1) * 1000);
    expect(await answer(login.accessToken)).toEqual({ active: false });
    expect((await answer(login.refreshToken)).active).toBe(true);
    t.clock.advance(t.deps.config.sessionTtl * 1000);
    expect(await answer(login.refreshToken)).toEqual({ active: false });
  });

  test("a token of another deployment is inactive here", async () => {
    const stranger = await seedUser(other, { email: "stranger@example.com" });
    const login = await loginAs(other, stranger);
    expect(await answer(login.accessToken)).toEqual({ active: false });
    expect(await answer(login.refreshToken)).toEqual({ active: false });
  });
});

describe("introspection clients", () => {
  test("a wrong secret, no credential, a bearer token or a revoked client get 401 invalid_client", async () => {
    const user = await seedUser(t);
    const login = await loginAs(t, user);
    const wrong = await ask(t, login.accessToken, { ...client, clientSecret: `${client.clientSecret.slice(1)}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain("Basic");
    expect(((await wrong.json()) as { code: string }).code).toBe("invalid_client");
    const none = await t.request("POST", "/api/auth/introspect", {
      body: `token=${login.accessToken}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(none.status).toBe(401);
    const asUser = await t.request("POST", "/api/auth/introspect", {
      body: `token=${login.accessToken}`,
      headers: { "content-type": "application/x-www-form-urlencoded", ...bearer(login.accessToken) },
    });
    expect(asUser.status).toBe(401);

    const doomed = await newClient(t, await adminToken(), "to revoke");
    expect((await ask(t, login.accessToken, doomed)).status).toBe(200);
    const revoke = await t.request("DELETE", `/api/admin/introspection-clients/${doomed.id}`, {
      headers: bearer(await adminToken()),
    });
    expect(revoke.status).toBe(200);
    expect((await ask(t, login.accessToken, doomed)).status).toBe(401);
  });

  test("a client of another deployment cannot introspect here", async () => {
    const otherAdmin = await seedUser(other, { role: "ADMIN", email: "other-admin@example.com" });
    const foreign = await newClient(other, (await loginAs(other, otherAdmin)).accessToken);
    expect((await ask(other, await adminToken(), foreign)).status).toBe(200);
    const user = await seedUser(t);
    const res = await ask(t, (await loginAs(t, user)).accessToken, foreign);
    expect(res.status).toBe(401);
  });

  test("only admins manage clients; the secret is shown once and stored hashed", async () => {
    const user = await seedUser(t);
    const login = await loginAs(t, user);
    const denied = await t.request("POST", "/api/admin/introspection-clients", {
      body: { name: "x" },
      headers: bearer(login.accessToken),
    });
    expect(denied.status).toBe(403);
    const created = await newClient(t, await adminToken(), "shown once");
    const list = await t.request("GET", "/api/admin/introspection-clients", { headers: bearer(await adminToken()) });
    const text = await list.text();
    expect(text).toContain(created.id);
    expect(text).not.toContain(created.clientSecret);
    expect(text).not.toContain("secretHash");
    const stored = await t.deps.db.client.execute("SELECT * FROM introspection_clients");
    expect(JSON.stringify(stored.rows)).not.toContain(created.clientSecret);
  });

  test("a missing token is 400; requests per client are rate-limited (429 with Retry-After)", async () => {
    const res = await t.request("POST", "/api/auth/introspect", {
      body: "token_type_hint=access_token",
      headers: { "content-type": "application/x-www-form-urlencoded", ...basic(client.clientId, client.clientSecret) },
    });
    expect(res.status).toBe(400);
    const busy = await newClient(t, await adminToken(), "busy");
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) statuses.push((await ask(t, "x", busy)).status);
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    const limited = await ask(t, "x", busy);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBeTruthy();
    // Other clients are not affected.
    expect((await ask(t, "x", client)).status).toBe(200);
  });

  test("is described in OpenAPI", async () => {
    const res = await t.request("GET", "/openapi/json");
    const spec = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toContain("/api/auth/introspect");
    expect(Object.keys(spec.paths)).toContain("/api/admin/event-endpoints");
  });
});
