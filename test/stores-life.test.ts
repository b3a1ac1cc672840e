// A store's whole life through its own native events, per store: purchase → user mailed → logins
// take seats → renewal (no one signed out) → fewer seats (excess sessions out, least recently used
// first) → cancel → period end → limited. A refund ends at once. Every event delivered twice and
// in shuffled order ends in the same state.
import { afterAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { licenses, users, type StoreProvider } from "../db/schema";
import { type LoginBody, loginAs, PASSWORD } from "./fixtures";
import { createTestContext, type TestContext } from "./helpers";
import { createStoreHook, fixture, type StoreHook, sendFixture } from "./stores-fixtures";
import { signedInUser } from "./webhooks-fixtures";

interface Life {
  purchase: string[];
  renewal: string[];
  fewerSeats?: string[];
  cancel: string[];
  end: string[];
  /** When the renewal, the seat change and the period end happen (ms). */
  renewedAt: number;
  periodEnd: number;
  /** A one-time (or separate) purchase and the refund that ends it. */
  refund: { purchase: string[]; refund: string[]; ref: string };
}

const T0 = Date.UTC(2026, 0, 10, 10, 0, 0);
const DAY = 86_400_000;
const GRACE = 3 * DAY;

const LIVES: Record<StoreProvider, Life> = {
  stripe: {
    purchase: [
      "customer.created",
      "checkout.session.completed.subscription",
      "customer.subscription.created",
      "invoice.paid.first",
    ],
    renewal: ["invoice.paid.renewal"],
    fewerSeats: ["customer.subscription.updated.quantity"],
    cancel: ["customer.subscription.updated.cancel"],
    end: ["customer.subscription.deleted"],
    renewedAt: (1768039206 + 31 * 86400) * 1000,
    periodEnd: (1768039206 + 59 * 86400) * 1000,
    refund: {
      purchase: ["checkout.session.completed.payment"],
      refund: ["charge.refunded"],
      ref: "pi_3SaPr0LkdIwHu7ix0OneTime",
    },
  },
  lemonsqueezy: {
    purchase: ["order_created", "subscription_created"],
    renewal: ["subscription_payment_success", "subscription_updated.renewal"],
    fewerSeats: ["subscription_updated.quantity"],
    cancel: ["subscription_cancelled"],
    end: ["subscription_expired"],
    renewedAt: T0 + 31 * DAY,
    periodEnd: T0 + 59 * DAY,
    refund: { purchase: [], refund: ["order_refunded"], ref: "4120731" },
  },
  paddle: {
    purchase: ["customer.created", "transaction.completed", "subscription.created", "subscription.activated"],
    renewal: ["transaction.completed.renewal", "subscription.updated.renewal"],
    fewerSeats: ["subscription.updated.quantity"],
    cancel: ["subscription.updated.cancel"],
    end: ["subscription.canceled"],
    renewedAt: T0 + 31 * DAY,
    periodEnd: T0 + 59 * DAY,
    refund: {
      purchase: ["transaction.completed.one-time"],
      refund: ["adjustment.created.refund-pending", "adjustment.updated.refund-approved"],
      ref: "txn_01kf3c0onetime000000000000",
    },
  },
  gumroad: {
    purchase: ["sale"],
    renewal: ["sale.renewal"],
    cancel: ["cancellation"],
    end: ["subscription_ended"],
    renewedAt: Date.parse("2026-02-10T10:00:00Z"),
    periodEnd: Date.parse("2026-03-10T10:00:00Z"),
    refund: { purchase: [], refund: ["refund"], ref: "Hg2Fe4Dc6Ba8Zy0Xw1Vu3Ts==" },
  },
};

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

async function refresh(t: TestContext, refreshToken: string) {
  const res = await t.request("POST", "/api/auth/refresh-token", { body: { refreshToken } });
  return { status: res.status, body: (await res.json()) as LoginBody & { code?: string } };
}

const life = await createTestContext();
const admin = await signedInUser(life);
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
    const user = await life.deps.db.orm.query.users.findFirst({ where: eq(users.email, email) });
    await life.deps.db.write((tx) =>
      tx
        .update(users)
        .set({
          passwordHash: Bun.password.hashSync(PASSWORD, { algorithm: "argon2id", memoryCost: 1024, timeCost: 1 }),
        })
        .where(eq(users.id, user!.id)),
    );
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
      expect({ i, status: answer.status, limited: answer.body.limited }).toEqual({ i, status: 200, limited: false });
      sessions[i] = answer.body.refreshToken;
    }
  });

  test("fewer seats sign out only the excess sessions, least recently used first", async () => {
    if (!plan.fewerSeats) return; // Gumroad sends no quantity change
    life.clock.set(plan.renewedAt + 2 * DAY + 60_000);
    for (let i = 0; i < sessions.length; i++) {
      life.clock.advance(1000);
      sessions[i] = (await refresh(life, sessions[i]!)).body.refreshToken;
    }
    await sendAll(life, hook, plan.fewerSeats);
    expect((await storeLicense(life, provider, ref))!.seats).toBe(1);
    const answers = await Promise.all(sessions.map((token) => refresh(life, token)));
    expect(answers.map((a) => a.status)).toEqual([401, 401, 200]);
    sessions.splice(0, 2, "", "");
    sessions[2] = answers[2]!.body.refreshToken;
  });

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

  test("a refund ends its purchase at once", async () => {
    await sendAll(life, hook, plan.refund.purchase);
    if (plan.refund.purchase.length > 0) {
      expect((await storeLicense(life, provider, plan.refund.ref))!.validUntil).toBeGreaterThan(life.clock.now());
    }
    await sendAll(life, hook, plan.refund.refund);
    const ended = await storeLicense(life, provider, plan.refund.ref);
    expect(ended!.validUntil).toBeLessThanOrEqual(life.clock.now());
  });
});

describe("twice, late and out of order", () => {
  test.each(PROVIDERS)(
    "%s: every event twice, in shuffled order, ends in the state the ordered run reached",
    async (provider) => {
      const plan = LIVES[provider];
      const names = [...plan.purchase, ...plan.renewal, ...(plan.fewerSeats ?? []), ...plan.cancel, ...plan.end];
      const final = async (order: string[]) => {
        const t = await createTestContext();
        try {
          t.clock.set(plan.periodEnd + DAY);
          const hook = await createStoreHook(t, (await signedInUser(t)).token, provider);
          await sendAll(t, hook, order);
          const rows = await t.deps.db.orm.select().from(licenses).where(eq(licenses.provider, provider));
          return rows.map(({ productId, seats, validUntil, externalRef }) => ({
            productId,
            seats,
            validUntil,
            externalRef,
          }));
        } finally {
          await t.close();
        }
      };
      const ordered = await final(names);
      expect(ordered).toHaveLength(1);
      // A fixed shuffle (reproducible): reverse, then interleave the halves, every event twice.
      const reversed = [...names].reverse();
      const half = Math.ceil(reversed.length / 2);
      const shuffled = reversed
        .slice(0, half)
        .flatMap((name, i) => [name, reversed[half + i]].filter((n): n is string => !!n));
      expect(await final([...shuffled, ...names.slice().sort()])).toEqual(ordered);
      expect(fixture(provider, names[0]!).length).toBeGreaterThan(0);
    },
  );
});
