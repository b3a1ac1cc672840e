// bun run admin for store endpoints: webhooks create --provider, the product map (map set | list |
// remove) and the store-event log (store-events list | replay), as an operator runs them: a
// child process on a real database, a real Gumroad-shaped delivery over HTTP in between.
import { afterAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { runAdmin } from "./cli-helpers";
import { createTestContext } from "./helpers";
import { fixture, sendRaw, type StoreHook } from "./stores-fixtures";

const t = await createTestContext();
afterAll(() => t.close());
t.clock.set(Date.UTC(2026, 0, 10, 10, 5, 0));
const admin = (...args: string[]) => runAdmin(t.deps, args);
const count = async (table: string) =>
  Number((await t.deps.db.orm.all<{ n: number }>(sql.raw(`SELECT count(*) AS n FROM ${table}`)))[0]?.n);

const created = await admin("webhooks", "create", "Gumroad shop", "--provider", "gumroad", "--json");
const hook = { ...created.json<StoreHook>(), provider: "gumroad" } as StoreHook;

interface EventRow {
  id: string;
  type: string;
  status: string;
}

describe("a store endpoint from the terminal", () => {
  test("webhooks create --provider: the URL carries the token, as stores only take a URL", () => {
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({ provider: "gumroad", scope: "store" });
    expect(hook.url).toContain(`?token=${hook.token}`);
  });

  test("bad endpoint options are usage errors and create nothing", async () => {
    const before = await count("webhook_tokens");
    const admin_scope = await admin("webhooks", "create", "S", "--provider", "stripe", "--scope", "admin");
    expect(admin_scope.code).toBe(2);
    const unsigned = await admin("webhooks", "create", "S", "--provider", "stripe");
    expect(unsigned.code).toBe(2);
    expect(unsigned.stderr).toContain("signingSecret");
    const unknown = await admin("webhooks", "create", "S", "--provider", "shopify");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Allowed choices are seatkey, stripe");
    expect(await count("webhook_tokens")).toBe(before);
  });

  test("an unmapped sale waits; map set, then store-events replay grants the license", async () => {
    const sent = await sendRaw(t, hook, fixture("gumroad", "sale"));
    expect(sent.body.response?.status).toBe("unmapped");
    expect(await count("licenses")).toBe(0);

    const unmapped = await admin("store-events", "list", hook.id, "--status", "unmapped", "--json");
    expect(unmapped.code).toBe(0);
    const [event] = unmapped.json<EventRow[]>();
    expect(event).toMatchObject({ type: "sale", status: "unmapped" });
    const table = await admin("store-events", "list", hook.id);
    expect(table.stdout).toMatch(new RegExp(`^${event!.id} +sale +unmapped `, "m"));

    const set = await admin("map", "set", hook.id, "seatkey-pro", "pro", "--seats-per-unit", "2", "--name", "Pro");
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/^seatkey-pro +Pro \(pro\) +2 +perpetual/m);
    const list = await admin("map", "list", hook.id, "--json");
    expect(list.json<unknown[]>()).toEqual([
      expect.objectContaining({ externalId: "seatkey-pro", productId: "pro", seatsPerUnit: 2 }),
    ]);

    const replay = await admin("store-events", "replay", hook.id, event!.id, "--json");
    expect(replay.code).toBe(0);
    expect(replay.json()).toMatchObject({ id: event!.id, status: "applied" });
    const [license] = await t.deps.db.orm.all<{ productId: string; productName: string; seats: number }>(
      sql`SELECT product_id AS productId, product_name AS productName, seats FROM licenses`,
    );
    expect(license).toEqual({ productId: "pro", productName: "Pro", seats: 6 }); // quantity 3 × 2 seats per unit
  });

  test("map remove asks first; without a terminal it needs --yes", async () => {
    const asked = await admin("map", "remove", hook.id, "seatkey-pro");
    expect(asked.code).toBe(5);
    expect((await admin("map", "list", hook.id, "--json")).json<unknown[]>()).toHaveLength(1);
    expect((await admin("map", "remove", hook.id, "seatkey-pro", "--yes")).code).toBe(0);
    expect((await admin("map", "list", hook.id, "--json")).json<unknown[]>()).toEqual([]);
    expect((await admin("map", "remove", hook.id, "seatkey-pro", "--yes")).code).toBe(3);
  });

  test("bad values exit 2, unknown endpoints and events 3, and change nothing", async () => {
    const before = await count("store_products");
    expect((await admin("map", "set", hook.id, "x", "pro", "--seats-per-unit", "0")).code).toBe(2);
    expect((await admin("map", "set", hook.id, "x", "pro", "--term-days", "ten")).code).toBe(2);
    expect((await admin("map", "set", hook.id, "  ", "pro")).code).toBe(2);
    expect((await admin("map", "set", hook.id, "x", "p".repeat(201))).code).toBe(2);
    expect((await admin("map", "set", hook.id, "x", "pro", "--name", "n".repeat(101))).code).toBe(2);
    const unknown = await admin("map", "list", "no-such-endpoint");
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain("No store endpoint with this id");
    expect((await admin("store-events", "list", hook.id, "--status", "lost")).code).toBe(2);
    expect((await admin("store-events", "replay", hook.id, "no-such-event")).code).toBe(3);
    expect(await count("store_products")).toBe(before);
  });
});
