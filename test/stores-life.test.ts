// A store's whole life through its own native events, per store: purchase → user mailed → logins
// take seats → renewal (no one signed out) → fewer seats (excess sessions out, least recently used
// first) → cancel → period end → limited. A refund ends at once: its sessions are limited at their next
// refresh. Events signed as each store signs them (the `stripe` SDK for Stripe; see stores-fixtures.ts).
// (Twice and shuffled: stores-order.test.ts.)
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { licenses, users, type StoreProvider } from "../db/schema";
import { type LoginBody, loginAs, PASSWORD } from "./fixtures";
import { createTestContext, type TestContext } from "./helpers";
import { createStoreHook, DAY, GRACE, LIVES, type StoreHook, sendFixture, T0 } from "./stores-fixtures";
import { signedInUser } from "./webhooks-fixtures";

const PROVIDERS = Object.keys(LIVES) as StoreProvider[];

async function sendAll(t: TestContext, hook: StoreHook, names: string[]) {
  for (const name of names) {
    const res = await sendFixture(t, hook, name);
    expect({ name, status: res.status }).toEqual({ name, status: 200 });
  }
}

async function storeLicense(t: TestContext, provider: StoreProvider, ref: string) {
  const rows = await t.deps.db.orm.select().from(licenses).where(eq(licenses.provider, provider));
  return rows.find((row) => row.externalRef === ref);
}

/** The store made the user without a password (they were mailed a link): give them one. */
async function setPassword(email: string) {
  const passwordHash = await life.deps.hasher.hash(PASSWORD);
  await life.deps.db.write((tx) => tx.update(users).set({ passwordHash }).where(eq(users.email, email)));
}

async function refresh(t: TestContext, refreshToken: string) {
  const res = await t.request("POST", "/api/auth/refresh-token", {
    body: { refreshToken },
  });
  return {
    status: res.status,
    body: (await res.json()) as LoginBody & { code?: string },
  };
}

let life: TestContext;
let admin: Awaited<ReturnType<typeof signedInUser>>;
beforeAll(async () => {
  life = await createTestContext();
  admin = await signedInUser(life);
});
afterAll(() => life.close());

describe.each(PROVIDERS)("%s: a customer's whole life", (provider) => {
  const plan = LIVES[provider];
  const email = "ann@example.com";
  let hook: StoreHook;
  let ref: string;
  const sessions: string[] = [];

  test("purchase: the user is created and mailed a set-password link; the license has quantity × seats", async () => {
    life.clock.set(T0 + 60_000);
    await life.deps.db.write((tx) => tx.delete(users).where(eq(users.email, email)));
    hook = await createStoreHook(life, admin.token, provider);
    expect(hook.url).toContain(`?token=${hook.token}`);
    await sendAll(life, hook, plan.purchase);
    const rows = await life.deps.db.orm.select().from(licenses).where(eq(licenses.provider, provider));
    expect(rows).toHaveLength(1);
    const license = rows[0]!;
    ref = license.externalRef!;
    expect(license).toMatchObject({ productId: "pro", seats: 3 });
    expect(license.validUntil).toBe(plan.renewedAt + GRACE);
    const mail = await life.smtp.waitFor((m) => m.to.includes(email) && m.text.includes("/create-password?token="));
    expect(mail.subject).toBeTruthy();
  });

  test("logins take the seats: three sessions hold them, a fourth is limited", async () => {
    await setPassword(email);
    for (let i = 0; i < 4; i++) {
      life.clock.advance(1000);
      const answer = await loginAs(life, { email, password: PASSWORD }, { productId: "pro" });
      expect(answer.limited).toBe(i === 3);
      sessions.push(answer.refreshToken);
    }
    sessions.pop();
  });

  test("renewal extends the license and signs no one out", async () => {
    life.clock.set(plan.renewedAt + 10 * 60_000);
    // Each device refreshes (its heartbeat) just before; the order makes sessions[0] the least recently used.
    for (let i = 0; i < sessions.length; i++) {
      life.clock.advance(1000);
      const answer = await refresh(life, sessions[i]!);
      expect(answer.body.limited).toBe(false);
      sessions[i] = answer.body.refreshToken;
    }
    await sendAll(life, hook, plan.renewal);
    const license = await storeLicense(life, provider, ref);
    expect(license!.validUntil).toBe(plan.periodEnd + GRACE);
    for (let i = 0; i < sessions.length; i++) {
      const answer = await refresh(life, sessions[i]!);
      expect({
        i,
        status: answer.status,
        limited: answer.body.limited,
      }).toEqual({ i, status: 200, limited: false });
      sessions[i] = answer.body.refreshToken;
    }
  });

  // Gumroad sends no quantity change.
  test.skipIf(!plan.fewerSeats)(
    "fewer seats sign out only the excess sessions, least recently used first",
    async () => {
      life.clock.set(plan.renewedAt + 2 * DAY + 60_000);
      for (let i = 0; i < sessions.length; i++) {
        life.clock.advance(1000);
        sessions[i] = (await refresh(life, sessions[i]!)).body.refreshToken;
      }
      await sendAll(life, hook, plan.fewerSeats ?? []);
      expect((await storeLicense(life, provider, ref))!.seats).toBe(1);
      const answers = await Promise.all(sessions.map((token) => refresh(life, token)));
      expect(answers.map((a) => a.status)).toEqual([401, 401, 200]);
      sessions.splice(0, 2, "", "");
      sessions[2] = answers[2]!.body.refreshToken;
    },
  );

  test("cancellation ends the license at the period end; until then nothing changes", async () => {
    life.clock.set(plan.renewedAt + 3 * DAY + 60_000);
    await sendAll(life, hook, plan.cancel);
    expect((await storeLicense(life, provider, ref))!.validUntil).toBe(plan.periodEnd);
    const live = sessions.filter(Boolean).at(-1)!;
    const answer = await refresh(life, live);
    expect(answer.body.limited).toBe(false);
    sessions[sessions.length - 1] = answer.body.refreshToken;
  });

  test("at the period end the subscription ends and the session becomes limited at its next refresh", async () => {
    life.clock.set(plan.periodEnd + 60_000);
    await sendAll(life, hook, plan.end);
    expect((await storeLicense(life, provider, ref))!.validUntil).toBeLessThanOrEqual(plan.periodEnd);
    const answer = await refresh(life, sessions.filter(Boolean).at(-1)!);
    expect(answer.status).toBe(200);
    expect(answer.body.limited).toBe(true);
  });

  test("a refund ends its purchase at once: a session of it is limited at its next refresh", async () => {
    await sendAll(life, hook, plan.refund.purchase);
    const bought = await storeLicense(life, provider, plan.refund.ref);
    // Lemon Squeezy and Gumroad refund the subscription's own order (ended above); Stripe and
    // Paddle a one-time purchase of another product, which a login can still take a seat of.
    let seated: string | undefined;
    if (plan.refund.purchase.length > 0) {
      expect(bought!.validUntil).toBeGreaterThan(life.clock.now());
      const owner = await life.deps.db.orm.query.users.findFirst({ where: eq(users.id, bought!.userId) });
      await setPassword(owner!.email);
      const login = await loginAs(life, { email: owner!.email, password: PASSWORD }, { productId: bought!.productId });
      expect(login).toMatchObject({ limited: false, product: bought!.productId });
      seated = login.refreshToken;
    }
    await sendAll(life, hook, plan.refund.refund);
    const ended = await storeLicense(life, provider, plan.refund.ref);
    expect(ended!.validUntil).toBeLessThanOrEqual(life.clock.now());
    if (seated) {
      const answer = await refresh(life, seated);
      expect({ status: answer.status, limited: answer.body.limited, reason: answer.body.limitedReason }).toEqual({
        status: 200,
        limited: true,
        reason: "expired",
      });
    }
  });
});
