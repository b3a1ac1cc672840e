// The OpenAPI document (README "API reference") is complete enough to generate a typed client from:
// it validates as OpenAPI 3.1; every operation has a summary and tags; every /api operation but the
// public ones declares its security; no HTML page appears; and real answers of every JSON route —
// successes and errors — match the schema declared for their status, with no undeclared field.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020";
import { unlimitedRateLimitEnv } from "../src/config";
import { bearer, loginAs, seedUser, type LoginBody } from "./fixtures";
import { createTestContext, type TestContext } from "./helpers";

interface Operation {
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: object }> };
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, object>>;
}

let t: TestContext;
let doc: Document;
let admin: LoginBody;
let owner: LoginBody;
let ownerId: string;
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const problems: string[] = [];
const answered = new Set<string>(); // "get /api/auth/me": operations that answered 2xx

// Routes anyone may call: credentials travel in the body or cookie, or none are needed.
const PUBLIC = [
  "post /api/auth/login",
  "post /api/auth/refresh-token",
  "post /api/auth/refresh",
  "post /api/auth/logout",
  "post /api/auth/reset-password",
  "post /api/auth/create-password",
  "get /health",
  "get /.well-known/jwks.json",
];

beforeAll(async () => {
  t = await createTestContext({ env: unlimitedRateLimitEnv() });
  doc = await t.json<Document>(await t.request("GET", "/openapi/json"));
  const adminUser = await seedUser(t, { role: "ADMIN", licenses: [{ seats: 3 }] });
  const ownerUser = await seedUser(t, { licenses: [{ seats: 2, productId: "app" }] });
  ownerId = ownerUser.id;
  admin = await loginAs(t, adminUser);
  owner = await loginAs(t, ownerUser);
});

afterAll(() => t.close());
beforeEach(() => {
  problems.length = 0;
});

/** Every object schema refuses fields it does not declare: an answer's field missing from the document fails. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== "object" || schema === null) return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, closed(v)]));
  if (copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

/** Calls a route by its document path and checks the answer against the schema declared for its status. */
async function call(
  method: string,
  template: string,
  init: { params?: Record<string, string>; body?: unknown; headers?: Record<string, string>; query?: string } = {},
) {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(init.params?.[name] ?? ""));
  const res = await t.request(method, `${path}${init.query ? `?${init.query}` : ""}`, init);
  const key = `${method.toLowerCase()} ${template}`;
  const text = await res.text();
  const body: unknown = text ? JSON.parse(text) : undefined;
  const declared = doc.paths[template]?.[method.toLowerCase()]?.responses?.[String(res.status)];
  const label = `${method} ${template} → ${res.status}`;
  if (!declared) problems.push(`${label}: status not declared`);
  else if (text) {
    const schema = declared.content?.["application/json"]?.schema;
    if (!schema) problems.push(`${label}: JSON answer without a declared schema`);
    else if (!ajv.validate(closed({ ...schema, components: doc.components }) as object, body)) {
      problems.push(`${label}: ${ajv.errorsText(ajv.errors)} in ${text.slice(0, 300)}`);
    }
  } else if (declared.content) problems.push(`${label}: declared a body, answered none`);
  if (res.status < 300) answered.add(key);
  return { status: res.status, body: body as Record<string, unknown> & { [k: string]: any } };
}

const asAdmin = () => bearer(admin.accessToken);

describe("the document", () => {
  test("validates as OpenAPI 3.1", async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  test("every operation has a summary and tags; /api operations declare security; no HTML page appears", () => {
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      expect(path.startsWith("/api/") || ["/health", "/.well-known/jwks.json"].includes(path)).toBe(true);
      for (const [method, op] of Object.entries(operations)) {
        const key = `${method} ${path}`;
        if (!op.summary) missing.push(`${key}: summary`);
        if (!op.tags?.length) missing.push(`${key}: tags`);
        if (!PUBLIC.includes(key) && !op.security?.length) missing.push(`${key}: security`);
        const ok = Object.keys(op.responses ?? {}).filter((s) => s.startsWith("2"));
        if (ok.length === 0) missing.push(`${key}: a 2xx answer`);
      }
    }
    expect(missing).toEqual([]);
    expect(Object.keys(doc.paths)).not.toContain("/account");
    expect(Object.keys(doc.paths)).not.toContain("/login");
    expect(Object.keys(doc.paths)).not.toContain("/openapi");
    expect(doc.paths["/api/auth/introspect"]?.post?.security).toEqual([{ basic: [] }]);
    expect(doc.paths["/api/users"]?.get?.parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(["page", "limit", "search", "userId"]),
    );
  });
});

describe("live answers match their declared schemas", () => {
  test("auth, sessions, passwords, keys, health", async () => {
    expect(
      (await call("POST", "/api/auth/login", { body: { email: "nobody@example.com", password: "x" } })).status,
    ).toBe(401);
    expect((await call("POST", "/api/auth/login", { body: { email: 1, password: "x" } })).status).toBe(400);
    const form = { "content-type": "application/x-www-form-urlencoded" };
    expect((await call("POST", "/api/auth/login", { body: "email=a&password=b", headers: form })).status).toBe(415);
    const me = await call("GET", "/api/auth/me", { headers: bearer(owner.accessToken) });
    expect(me.status).toBe(200);
    expect((await call("GET", "/api/auth/me")).status).toBe(401);
    expect((await call("GET", "/api/auth/sessions", { headers: bearer(owner.accessToken) })).status).toBe(200);
    const other = await loginAs(t, { email: me.body.user.email, password: "correct horse battery staple" });
    const gone = await call("DELETE", "/api/auth/sessions/{id}", {
      params: { id: other.sessionId },
      headers: bearer(owner.accessToken),
    });
    expect(gone.status).toBe(204);
    expect(
      (await call("DELETE", "/api/auth/sessions/{id}", { params: { id: "nope" }, headers: bearer(owner.accessToken) }))
        .status,
    ).toBe(404);
    const refreshed = await call("POST", "/api/auth/refresh", { body: { refreshToken: owner.refreshToken } });
    expect(refreshed.status).toBe(200);
    owner = refreshed.body as unknown as LoginBody;
    expect((await call("POST", "/api/auth/refresh-token", { body: { refreshToken: "junk" } })).status).toBe(401);
    expect((await call("POST", "/api/auth/reset-password", { body: { email: "a@example.com" } })).status).toBe(200);
    const bad = { token: "junk", password: "x".repeat(20), confirm: "x".repeat(20) };
    expect((await call("POST", "/api/auth/create-password", { body: bad })).status).toBe(401);
    expect((await call("GET", "/health")).status).toBe(200);
    const jwks = await t.request("GET", "/.well-known/jwks.json");
    const schema = doc.paths["/.well-known/jwks.json"]?.get?.responses?.["200"]?.content?.["application/jwk-set+json"];
    expect(ajv.validate(closed(schema?.schema) as object, await jwks.json())).toBe(true);
    expect(problems).toEqual([]);
  });

  test("admin reads and writes", async () => {
    expect(
      (await call("GET", "/api/users", { headers: asAdmin(), query: "page=1&limit=5&search=example" })).status,
    ).toBe(200);
    expect((await call("GET", "/api/users", { headers: asAdmin(), query: "limit=0" })).status).toBe(400);
    expect((await call("GET", "/api/users", { headers: bearer(owner.accessToken) })).status).toBe(403);
    expect((await call("GET", "/api/users/{id}", { params: { id: ownerId }, headers: asAdmin() })).status).toBe(200);
    expect((await call("GET", "/api/users/{id}", { params: { id: "nope" }, headers: asAdmin() })).status).toBe(404);
    const created = await call("POST", "/api/admin/users", {
      headers: asAdmin(),
      body: { email: "new@example.com", name: "New" },
    });
    expect(created.status).toBe(201);
    const userId = created.body.user.id as string;
    const id = { id: userId };
    expect(
      (await call("PATCH", "/api/admin/users/{id}", { params: id, headers: asAdmin(), body: { name: "N" } })).status,
    ).toBe(200);
    const link = await call("POST", "/api/admin/users/{id}/reset-link", { params: id, headers: asAdmin() });
    expect(link.status).toBe(200);
    const password = {
      token: new URL(link.body.link as string).searchParams.get("token"),
      password: "violet tandem orbit lantern 42",
    };
    const set = await call("POST", "/api/auth/create-password", { body: { ...password, confirm: password.password } });
    expect(set.status).toBe(200);
    const credentials = { email: "new@example.com", password: password.password };
    const signedIn = await call("POST", "/api/auth/login", { body: credentials });
    expect(signedIn.status).toBe(200);
    const rotated = await call("POST", "/api/auth/refresh-token", {
      body: { refreshToken: signedIn.body.refreshToken },
    });
    expect(rotated.status).toBe(200);
    const session = { id: rotated.body.sessionId as string };
    expect((await call("DELETE", "/api/admin/sessions/{id}", { params: session, headers: asAdmin() })).status).toBe(
      200,
    );
    const again = await call("POST", "/api/auth/login", { body: credentials });
    expect((await call("POST", "/api/auth/logout", { body: { refreshToken: again.body.refreshToken } })).status).toBe(
      204,
    );
    expect((await call("DELETE", "/api/admin/users/{id}/sessions", { params: id, headers: asAdmin() })).status).toBe(
      200,
    );
    const license = await call("POST", "/api/admin/licenses", {
      headers: asAdmin(),
      body: { userId, productId: "app", seats: 2, validUntil: "2031-01-01" },
    });
    expect(license.status).toBe(201);
    const lid = { id: license.body.license.id as string };
    expect(
      (await call("PATCH", "/api/admin/licenses/{id}", { params: lid, headers: asAdmin(), body: { seats: 3 } })).status,
    ).toBe(200);
    expect((await call("POST", "/api/admin/licenses/{id}/end", { params: lid, headers: asAdmin() })).status).toBe(200);
    expect((await call("DELETE", "/api/admin/licenses/{id}", { params: lid, headers: asAdmin() })).status).toBe(200);
    expect(
      (await call("DELETE", "/api/admin/sessions/{id}", { params: { id: "nope" }, headers: asAdmin() })).status,
    ).toBe(404);
    expect((await call("GET", "/api/admin/audit", { headers: asAdmin(), query: "limit=5" })).status).toBe(200);
    expect((await call("GET", "/api/admin/stats", { headers: asAdmin() })).status).toBe(200);
    expect((await call("DELETE", "/api/admin/users/{id}", { params: id, headers: asAdmin() })).status).toBe(200);
    expect(problems).toEqual([]);
  });
});

describe("live answers match their declared schemas (the store side and the operators' tools)", () => {
  test("webhook tokens, every webhook action, the compat routes", async () => {
    const hook = await call("POST", "/api/webhooks/create", {
      headers: asAdmin(),
      body: { name: "shop", scope: "admin" }, // admin: may revoke another token
    });
    expect(hook.status).toBe(201);
    const token = hook.body.token as string;
    const send = (body: object) => call("POST", "/api/webhooks", { headers: bearer(token), body });
    const granted = await send({
      action: "grant-license",
      email: "buyer@example.com",
      name: "Buyer",
      productId: "app",
      seats: 2,
      validUntil: "2031-01-01",
    });
    expect(granted.status).toBe(200);
    const userId = granted.body.response.user.id as string;
    const licenseId = granted.body.response.license.id as string;
    const buyer = await seedUser(t, { licenses: [{ seats: 1 }] });
    const session = await loginAs(t, buyer);
    for (const [body, status] of [
      [{ action: "create-user", email: "made@example.com", name: "Made" }, 200],
      [{ action: "update-user", userId, name: "Buyer Two" }, 200],
      [{ action: "create-license", userId, productId: "pro", seats: 1, validUntil: "2031-01-01" }, 200],
      [{ action: "update-license", licenseId, seats: 3 }, 200],
      [{ action: "revoke-session", sessionId: session.sessionId }, 200],
      [{ action: "revoke-all-user-sessions", userId: buyer.id }, 200],
      [{ action: "delete-license", licenseId }, 200],
      [{ action: "delete-user", userId }, 200],
      [{ action: "no-such-action" }, 400],
      [{ action: "delete-user", userId: "nope" }, 404],
    ] as const) {
      expect((await send(body)).status).toBe(status);
    }
    expect((await call("POST", "/api/webhooks", { body: { action: "create-user" } })).status).toBe(401);
    const legacy = await call("POST", "/api/webhook/create", { headers: asAdmin(), body: { name: "old shop" } });
    expect(legacy.status).toBe(201);
    const old = { email: "old@example.com", name: "Old" };
    expect(
      (
        await call("POST", "/api/webhook", {
          query: `token=${legacy.body.token}`,
          body: { action: "create-user", ...old },
        })
      ).status,
    ).toBe(200);
    const other = await call("POST", "/api/webhooks/create", { headers: asAdmin(), body: { name: "spare" } });
    expect((await send({ action: "revoke-webhook", webhookId: other.body.id })).status).toBe(200);
    expect((await call("GET", "/api/users", { headers: asAdmin(), query: `userId=${buyer.id}` })).status).toBe(200);
    expect(problems).toEqual([]);
  });

  test("admin webhooks, store endpoints and their product maps", async () => {
    expect((await call("GET", "/api/admin/webhooks", { headers: asAdmin() })).status).toBe(200);
    const store = await call("POST", "/api/admin/webhooks", {
      headers: asAdmin(),
      body: { name: "stripe", provider: "stripe", signingSecret: "whsec_test_secret" },
    });
    expect(store.status).toBe(201);
    const id = { id: store.body.id as string };
    const mapped = { ...id, externalId: "price_123" };
    expect(
      (
        await call("PUT", "/api/webhooks/{id}/products/{externalId}", {
          params: mapped,
          headers: asAdmin(),
          body: { productId: "app", seatsPerUnit: 2 },
        })
      ).status,
    ).toBe(200);
    expect((await call("GET", "/api/webhooks/{id}/products", { params: id, headers: asAdmin() })).status).toBe(200);
    expect(
      (await call("GET", "/api/webhooks/{id}/events", { params: id, headers: asAdmin(), query: "limit=5" })).status,
    ).toBe(200);
    const replay = { ...id, eventId: "nope" };
    expect(
      (await call("POST", "/api/webhooks/{id}/events/{eventId}/replay", { params: replay, headers: asAdmin() })).status,
    ).toBe(404);
    expect(
      (await call("DELETE", "/api/webhooks/{id}/products/{externalId}", { params: mapped, headers: asAdmin() })).status,
    ).toBe(204);
    const rotated = await call("POST", "/api/admin/webhooks/{id}/rotate-secret", {
      params: id,
      headers: asAdmin(),
      body: {},
    });
    expect(rotated.status).toBe(200);
    expect((await call("DELETE", "/api/admin/webhooks/{id}", { params: id, headers: asAdmin() })).status).toBe(200);
    expect(problems).toEqual([]);
  });

  test("event endpoints, deliveries, introspection clients and introspection", async () => {
    const created = await call("POST", "/api/admin/event-endpoints", {
      headers: asAdmin(),
      body: { url: "https://example.com/hooks", eventTypes: ["seat.taken"] },
    });
    expect(created.status).toBe(201);
    const id = { id: created.body.endpoint.id as string };
    expect((await call("GET", "/api/admin/event-endpoints", { headers: asAdmin() })).status).toBe(200);
    expect(
      (
        await call("PATCH", "/api/admin/event-endpoints/{id}", {
          params: id,
          headers: asAdmin(),
          body: { enabled: false },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call("POST", "/api/admin/event-endpoints/{id}/rotate-secret", {
          params: id,
          headers: asAdmin(),
          body: {},
        })
      ).status,
    ).toBe(200);
    expect((await call("GET", "/api/admin/event-deliveries", { headers: asAdmin(), query: "limit=5" })).status).toBe(
      200,
    );
    expect(
      (await call("POST", "/api/admin/event-deliveries/{id}/replay", { params: { id: "nope" }, headers: asAdmin() }))
        .status,
    ).toBe(404);
    expect((await call("DELETE", "/api/admin/event-endpoints/{id}", { params: id, headers: asAdmin() })).status).toBe(
      204,
    );

    const client = await call("POST", "/api/admin/introspection-clients", {
      headers: asAdmin(),
      body: { name: "api" },
    });
    expect(client.status).toBe(201);
    expect((await call("GET", "/api/admin/introspection-clients", { headers: asAdmin() })).status).toBe(200);
    const basic = `Basic ${btoa(`${client.body.clientId}:${client.body.clientSecret}`)}`;
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const ask = (token: string, authorization = basic) =>
      call("POST", "/api/auth/introspect", { body: `token=${token}`, headers: { ...form, authorization } });
    expect((await ask(admin.accessToken)).body.active).toBe(true);
    expect((await ask("junk")).body.active).toBe(false);
    expect((await ask("junk", "Basic bm86bm8=")).status).toBe(401);
    const revoked = await call("DELETE", "/api/admin/introspection-clients/{id}", {
      params: { id: client.body.clientId as string },
      headers: asAdmin(),
    });
    expect(revoked.status).toBe(200);
    expect(problems).toEqual([]);
  });

  test("every documented JSON operation was exercised here with a 2xx answer", () => {
    const untested: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const method of Object.keys(operations)) {
        const key = `${method} ${path}`;
        if (!answered.has(key) && path !== "/.well-known/jwks.json") untested.push(key);
      }
    }
    expect(untested.sort()).toEqual([
      "post /api/admin/event-deliveries/{id}/replay",
      "post /api/webhooks/{id}/events/{eventId}/replay",
    ]);
  });
});
