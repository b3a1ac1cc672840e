// Twice, late and out of order: every event of a store's whole life delivered twice, in shuffled
// order, ends in the state the ordered run reached (repeats change nothing; older events never roll
// a license back; events for what is not known yet are parked and applied when it arrives).
import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { licenses, type StoreProvider } from "../db/schema";
import { createTestContext, type TestContext } from "./helpers";
import { createStoreHook, DAY, fixture, LIVES, type StoreHook, sendFixture } from "./stores-fixtures";
import { signedInUser } from "./webhooks-fixtures";

const PROVIDERS = Object.keys(LIVES) as StoreProvider[];

async function sendAll(t: TestContext, hook: StoreHook, names: string[]) {
  for (const name of names) {
    const res = await sendFixture(t, hook, name);
    expect({ name, status: res.status }).toEqual({ name, status: 200 });
  }
}

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
