// Admin API (README "Admin API"): GET /api/users (paginated, search by email) and GET /api/users/:id —
// role ADMIN only, never a password or token hash.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { users } from "../db/schema";
import { createUser } from "./fixtures";
import { createTestContext, type TestContext } from "./helpers";
import { createHook, deliver, insertSession, type Signed, signedInUser } from "./webhooks-fixtures";

interface Listed {
  users: Record<string, unknown>[];
  page: number;
  limit: number;
  total: number;
}

let t: TestContext;
let admin: Signed;
beforeAll(async () => {
  t = await createTestContext();
  admin = await signedInUser(t, "ADMIN", "root@admin.test");
  for (let i = 0; i < 25; i++) {
    await createUser(t.deps, { email: `member${String(i).padStart(2, "0")}@shop.test`, name: `Member ${i}` });
  }
  // LIKE wildcards that must match literally.
  await createUser(t.deps, { email: "percent%sign@odd.test", name: "Percent" });
  await createUser(t.deps, { email: "under_score@odd.test", name: "Underscore" });
  await createUser(t.deps, { email: "underXscore@odd.test", name: "Not underscore" });
  // A password hash that must never come out.
  await t.deps.db.write((tx) =>
    tx.update(users).set({ passwordHash: "$argon2id$v=19$secret-hash" }).where(eq(users.email, "member00@shop.test")),
  );
});
afterAll(() => t.close());

const get = (path: string, token: string | null = admin.token) =>
  t.request("GET", path, { headers: token ? { authorization: `Bearer ${token}` } : {} });

async function list(query: string): Promise<Listed> {
  const res = await get(`/api/users${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Listed;
}

describe("auth", () => {
  test("no token is 401, a bad token 401, a non-admin 403 — on both routes", async () => {
    const owner = await signedInUser(t, "OWNER");
    for (const path of ["/api/users", `/api/users/${admin.id}`]) {
      expect((await get(path, null)).status).toBe(401);
      expect((await get(path, "abc.def.ghi")).status).toBe(401);
      const res = await get(path, owner.token);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe("forbidden");
    }
  });
});

describe("GET /api/users", () => {
  test("pages through every user exactly once, with total", async () => {
    const seen = new Set<string>();
    const first = await list("?limit=10");
    expect(first).toMatchObject({ page: 1, limit: 10 });
    const total = first.total;
    expect(total).toBeGreaterThanOrEqual(29);
    for (let page = 1; page <= Math.ceil(total / 10); page++) {
      const res = await list(`?limit=10&page=${page}`);
      expect(res.total).toBe(total);
      for (const u of res.users) seen.add(u.id as string);
    }
    expect(seen.size).toBe(total);
    expect((await list(`?limit=10&page=${Math.ceil(total / 10) + 1}`)).users).toEqual([]);
  });

  test("defaults to page 1 of 20", async () => {
    const res = await list("");
    expect(res).toMatchObject({ page: 1, limit: 20 });
    expect(res.users).toHaveLength(20);
  });

  test("out-of-bounds or malformed page and limit are 400 naming the field", async () => {
    for (const [query, field] of [
      ["?limit=0", "limit"],
      ["?limit=101", "limit"],
      ["?limit=ten", "limit"],
      ["?limit=-5", "limit"],
      ["?page=0", "page"],
      ["?page=1.5", "page"],
      ["?page=99999999999", "page"],
      [`?search=${"a".repeat(300)}`, "search"],
    ]) {
      const res = await get(`/api/users${query}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { field: string }).field).toBe(field as string);
    }
  });

  test("search matches an email substring, case-insensitively, with LIKE wildcards taken literally", async () => {
    const shop = await list("?search=SHOP.test&limit=100");
    expect(shop.total).toBe(25);
    expect(shop.users.every((u) => String(u.email).endsWith("@shop.test"))).toBe(true);
    expect((await list("?search=member1")).total).toBe(10);
    const underscore = await list("?search=under_score");
    expect(underscore.users.map((u) => u.email)).toEqual(["under_score@odd.test"]);
    expect((await list(`?search=${encodeURIComponent("%")}`)).users.map((u) => u.email)).toEqual([
      "percent%sign@odd.test",
    ]);
    expect((await list("?search=nobody-here")).total).toBe(0);
  });

  test("lists users with their licenses and never a password hash", async () => {
    const res = await get("/api/users?limit=100");
    const text = await res.text();
    expect(text).not.toContain("secret-hash");
    expect(text).not.toContain("passwordHash");
    const listed = JSON.parse(text) as Listed;
    const member = listed.users.find((u) => u.email === "member00@shop.test");
    expect(member).toMatchObject({ hasPassword: true, licenses: [], activeSessions: 0 });
  });
});

describe("GET /api/users/:id", () => {
  test("returns the user with licenses, live sessions and the webhooks they created — no hashes", async () => {
    const signedHook = await createHook(t, admin, { name: "signed", signingSecret: "sign-me-please" });
    const hook = await createHook(t, admin, { name: "shop" });
    const grant = await deliver(t, hook.token, {
      action: "create-license",
      userId: admin.id,
      productId: "pro",
      seats: 2,
      validUntil: "2031-01-01",
    });
    expect(grant.status).toBe(200);
    const live = await insertSession(t, admin.id, { userAgent: "Firefox" });
    await insertSession(t, admin.id, { revokedAt: t.clock.now(), revokeReason: "test" });
    await insertSession(t, admin.id, { expiresAt: t.clock.now() - 1 });
    const res = await get(`/api/users/${admin.id}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const secret of [
      "tokenHash",
      "token_hash",
      "passwordHash",
      "signingSecret",
      "sign-me-please",
      hook.token,
      signedHook.token,
    ]) {
      expect(text).not.toContain(secret);
    }
    const detail = JSON.parse(text) as {
      user: { id: string };
      licenses: { productId: string; seats: number }[];
      sessions: { id: string }[];
      webhooks: { id: string; name: string; signed: boolean }[];
    };
    expect(detail.user.id).toBe(admin.id);
    expect(detail.licenses).toMatchObject([{ productId: "pro", seats: 2 }]);
    const ids = detail.sessions.map((s) => s.id);
    expect(ids).toContain(live.id);
    expect(ids).toHaveLength(2); // the fixture's own session + the live one; revoked and expired left out
    expect(detail.webhooks.map((w) => [w.id, w.signed]).sort()).toEqual(
      [
        [hook.id, false],
        [signedHook.id, true],
      ].sort(),
    );
  });

  test("an unknown id is 404; an oversized id is 400", async () => {
    const res = await get("/api/users/no-such-user");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe("user_not_found");
    expect((await get(`/api/users/${"x".repeat(200)}`)).status).toBe(400);
  });
});
