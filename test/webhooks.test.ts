// Webhooks (README "Integrating your store"): creating tokens, authenticating deliveries, the {action, ...payload}
// envelope and the audit trail. The actions themselves: webhooks-actions.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { auditLog, webhookTokens } from "../db/schema";
import { sha256Hex, unseal } from "../src/lib/crypto";
import { createTestContext, type TestContext } from "./helpers";
import { createHook, deliver, deliveryKit, type Hook, type Signed, signedInUser } from "./webhooks-fixtures";

let t: TestContext;
let admin: Signed;
let hook: Hook;
let kit: ReturnType<typeof deliveryKit>;
beforeAll(async () => {
  t = await createTestContext();
  admin = await signedInUser(t);
  hook = await createHook(t, admin);
  kit = deliveryKit(t, hook);
});
afterAll(() => t.close());

describe("POST /api/webhooks/create", () => {
  test("an admin gets {id, name, token, url} once; only the token's SHA-256 and a sealed secret are stored", async () => {
    const res = await t.request("POST", "/api/webhooks/create", {
      body: { name: "Stripe", signingSecret: "whsec_abcdef123456" },
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Hook;
    expect(Object.keys(created).sort()).toEqual(["id", "name", "provider", "scope", "token", "url"]);
    expect(created.url).toBe("http://localhost:3000/api/webhooks");
    expect(created.token.length).toBeGreaterThanOrEqual(43);
    const row = await t.deps.db.orm.query.webhookTokens.findFirst({ where: eq(webhookTokens.id, created.id) });
    expect(row?.tokenHash).toBe(sha256Hex(created.token));
    expect(row?.createdBy).toBe(admin.id);
    expect(JSON.stringify(row)).not.toContain(created.token);
    expect(JSON.stringify(row)).not.toContain("whsec_abcdef123456");
    expect(unseal(t.deps.keys.secretKey, row?.signingSecretSealed ?? "")).toBe("whsec_abcdef123456");
    const audit = await t.deps.db.orm.select().from(auditLog).where(eq(auditLog.event, "webhook.created"));
    expect(audit.some((a) => a.actor === `admin:${admin.id}` && !a.detail?.includes(created.token))).toBe(true);
  });

  test("no token 401, a non-admin 403, and bad bodies 400 naming the field — nothing created", async () => {
    const owner = await signedInUser(t, "OWNER");
    const before = await kit.snapshot();
    const post = (body: unknown, token?: string) =>
      t.request("POST", "/api/webhooks/create", { body, headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await post({ name: "x" })).status).toBe(401);
    expect((await post({ name: "x" }, owner.token)).status).toBe(403);
    expect((await post({ name: "x" }, "not-a-jwt")).status).toBe(401);
    for (const [body, field] of [
      [{}, "name"],
      [{ name: "   " }, "name"],
      [{ name: 42 }, "name"],
      [{ name: "x".repeat(101) }, "name"],
      [{ name: "x", signingSecret: "123" }, "signingSecret"],
      [{ name: "x", signingSecret: "s".repeat(300) }, "signingSecret"],
    ] as const) {
      const res = await post(body, admin.token);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { field: string }).field).toBe(field);
    }
    expect(await kit.snapshot()).toEqual(before);
  });
});

describe("authenticating a delivery", () => {
  const ping = { action: "revoke-all-user-sessions" };

  test("the token works as a Bearer header and as ?token=, and records last_used_at", async () => {
    const userId = await kit.newUser();
    const second = await createHook(t, admin, { name: "query-only store" });
    t.clock.advance(1000);
    const viaQuery = await t.request("POST", `/api/webhooks?token=${encodeURIComponent(second.token)}`, {
      body: { ...ping, userId },
    });
    expect(viaQuery.status).toBe(200);
    const row = await t.deps.db.orm.query.webhookTokens.findFirst({ where: eq(webhookTokens.id, second.id) });
    expect(row?.lastUsedAt).toBe(t.clock.now());
    expect((await kit.send({ ...ping, userId })).status).toBe(200);
  });

  test("missing, unknown and oversized tokens are 401 and change nothing", async () => {
    const userId = await kit.newUser();
    const before = await kit.snapshot();
    const noToken = await t.request("POST", "/api/webhooks", { body: { ...ping, userId } });
    expect(noToken.status).toBe(401);
    expect(((await noToken.json()) as { code: string }).code).toBe("missing_token");
    for (const token of ["wrong", hook.token.slice(0, -1), "x".repeat(5000)]) {
      const res = await deliver(t, token, { ...ping, userId });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe("invalid_token");
    }
    const badQuery = await t.request("POST", "/api/webhooks?token=nope", { body: { ...ping, userId } });
    expect(badQuery.status).toBe(401);
    expect(await kit.snapshot()).toEqual(before);
  });

  test("a revoked token is 401 token_revoked, in the header and in the query", async () => {
    const doomed = await createHook(t, admin, { name: "doomed" });
    // A token may revoke itself (a store retiring its credential); others need the admin scope.
    const res = await deliveryKit(t, doomed).send<{ webhook: { id: string; revokedAt: number } }>({
      action: "revoke-webhook",
      webhookId: doomed.id,
    });
    expect(res.status).toBe(200);
    expect(res.body.response.webhook.revokedAt).toBe(t.clock.now());
    expect(JSON.stringify(res.body)).not.toContain("tokenHash");
    const userId = await kit.newUser();
    for (const attempt of [
      deliver(t, doomed.token, { ...ping, userId }),
      t.request("POST", `/api/webhooks?token=${doomed.token}`, { body: { ...ping, userId } }),
    ]) {
      const refused = await attempt;
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { code: string }).code).toBe("token_revoked");
    }
    const ops = deliveryKit(t, await createHook(t, admin, { name: "ops", scope: "admin" }));
    await ops.expectRefused({ action: "revoke-webhook", webhookId: "no-such-webhook" }, 404, "webhook_not_found");
  });

  test("deliveries are rate limited per token (429 with Retry-After)", async () => {
    const limited = await createTestContext({ env: { RATE_LIMIT_WEBHOOK_MAX: "3", RATE_LIMIT_WEBHOOK_WINDOW: "60" } });
    try {
      const boss = await signedInUser(limited);
      const [a, b] = [await createHook(limited, boss), await createHook(limited, boss)];
      const body = { action: "revoke-session", sessionId: "missing" };
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await deliver(limited, a.token, body)).status);
      expect(statuses).toEqual([404, 404, 404, 429]);
      const refused = await deliver(limited, a.token, body);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await deliver(limited, b.token, body)).status).toBe(404); // another token has its own budget
      limited.clock.advance(61_000);
      expect((await deliver(limited, a.token, body)).status).toBe(404);
    } finally {
      await limited.close();
    }
  });
});

describe("the envelope {action, ...payload}", () => {
  test("a success is 200 {success: true, response, time} with time in milliseconds", async () => {
    const res = await kit.send({ action: "create-user", email: "envelope@example.com", name: "Env" });
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(Number.isInteger(res.body.time)).toBe(true);
    expect(res.body.time).toBeGreaterThanOrEqual(0);
  });

  test("an unknown action is 400 unknown_action listing the valid ones", async () => {
    for (const action of ["make-coffee", "__proto__", "constructor", "toString", "CREATE-USER"]) {
      const before = await kit.snapshot();
      const res = await kit.send({ action });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("unknown_action");
      expect(res.body.error).toContain("grant-license");
      expect(res.body.error).toContain("revoke-all-user-sessions");
      expect(await kit.snapshot()).toEqual(before);
    }
  });

  test("a missing or non-string action and non-object bodies are 400", async () => {
    await kit.expectRefused({ email: "a@b.co" }, 400, "invalid_input", "action");
    await kit.expectRefused({ action: 7 }, 400, "invalid_input", "action");
    await kit.expectRefused("[1,2]", 400, "invalid_body");
    await kit.expectRefused("null", 400, "invalid_body");
    await kit.expectRefused("{not json", 400, "invalid_body");
    await kit.expectRefused('"create-user"', 400, "invalid_body");
  });
});

describe("audit", () => {
  test("every action is audited as webhook.<action> by webhook:<id>, successes and refusals, never with a token", async () => {
    const userId = await kit.newUser();
    await kit.send({ action: "revoke-all-user-sessions", userId });
    await kit.send({ action: "delete-user", userId: "ghost" });
    await kit.send({ action: "delete-user", userId: 42 });
    const rows = await t.deps.db.orm
      .select()
      .from(auditLog)
      .where(sql`${auditLog.event} LIKE 'webhook.%'`);
    const of = (event: string) => rows.filter((r) => r.event === event).map((r) => JSON.parse(r.detail ?? "{}").result);
    expect(of("webhook.revoke-all-user-sessions")).toContain("success");
    expect(rows.some((r) => r.event === "webhook.revoke-all-user-sessions" && r.userId === userId)).toBe(true);
    expect(of("webhook.delete-user")).toEqual(expect.arrayContaining(["user_not_found", "invalid_input"]));
    const actions = rows.filter((r) => r.event !== "webhook.created");
    expect(actions.every((r) => r.actor?.startsWith("webhook:"))).toBe(true);
    expect(
      actions.filter((r) => r.event === "webhook.delete-user").every((r) => r.actor === `webhook:${hook.id}`),
    ).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(hook.token);
  });
});
