// Rate limits hold against parallel requests: every attempt is counted atomically before the
// password hash is checked, so however many race, at most the limit reach verification.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { users } from "../db/schema";
import { changePassword } from "../src/account/password";
import { PASSWORD, seedUser } from "./fixtures";
import { createTestContext } from "./helpers";

const t = await createTestContext({
  env: { RATE_LIMIT_LOGIN_ACCOUNT_IP_MAX: "10", RATE_LIMIT_LOGIN_IP_MAX: "25" },
});
afterAll(() => t.close());

// Count the password checks that actually run (the expensive, revealing step).
let verifications = 0;
const verify = t.deps.hasher.verify.bind(t.deps.hasher);
t.deps.hasher.verify = (hash, password) => {
  verifications++;
  return verify(hash, password);
};
beforeEach(() => {
  verifications = 0;
});

const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

describe("parallel attempts", () => {
  test("60 parallel wrong logins for one account from one address: 10 reach the password check, 50 get 429", async () => {
    const user = await seedUser(t);
    const statuses = await Promise.all(
      Array.from({ length: 60 }, async () => {
        const res = await t.request("POST", "/api/auth/login", {
          body: { email: user.email, password: "a wrong password, long enough" },
        });
        return res.status;
      }),
    );
    expect(verifications).toBe(10);
    expect(tally(statuses)).toEqual({ 401: 10, 429: 50 });
  });

  test("parallel logins for many accounts from one address stop at the per-address limit", async () => {
    const accounts = await Promise.all(Array.from({ length: 40 }, () => seedUser(t)));
    await t.deps.db.client.execute("DELETE FROM rate_limits");
    const statuses = await Promise.all(
      accounts.map(async (a) => {
        const res = await t.request("POST", "/api/auth/login", { body: { email: a.email, password: "wrong" } });
        return res.status;
      }),
    );
    expect(verifications).toBe(25);
    expect(tally(statuses)).toEqual({ 401: 25, 429: 15 });
  });

  test("40 parallel current-password guesses on the account page: at most the limit reach the check", async () => {
    await t.deps.db.client.execute("DELETE FROM rate_limits");
    const seeded = await seedUser(t);
    const user = (await t.deps.db.orm.query.users.findFirst({ where: eq(users.id, seeded.id) }))!;
    const client = { ip: null, userAgent: null, country: null, city: null, region: null };
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, () =>
        changePassword(t.deps, {
          user,
          sessionId: "none",
          current: "a guessed password, long enough",
          password: "a brand new password for me",
          confirm: "a brand new password for me",
          signOutOthers: false,
          client,
        }),
      ),
    );
    const codes = results.map((r) => (r.status === "rejected" ? (r.reason as { code: string }).code : "ok"));
    expect(verifications).toBe(10);
    expect(codes.filter((c) => c !== "rate_limited" && c !== "ok")).toHaveLength(10); // wrong current password
    expect(codes.filter((c) => c === "rate_limited")).toHaveLength(30);
  });

  test("a right password still clears its failures and does not use up the per-address budget", async () => {
    await t.deps.db.client.execute("DELETE FROM rate_limits");
    const user = await seedUser(t);
    for (let i = 0; i < 30; i++) {
      const res = await t.request("POST", "/api/auth/login", { body: { email: user.email, password: PASSWORD } });
      expect(res.status).toBe(200);
    }
  });
});
