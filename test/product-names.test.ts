// Product display names (README "Product names"): a license's optional productName, set by the
// grant-license / create-license / update-license actions, the admin API and CLI, and a store's
// product map; shown on /account (the id when there is none) and by `bun run admin user show`.
import { afterAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { licenses } from "../db/schema";
import { runAdmin } from "./cli-helpers";
import { FormClient } from "./form-client";
import { createTestContext } from "./helpers";
import { seedUser } from "./fixtures";
import { createStoreHook, sendFixture } from "./stores-fixtures";
import { createHook, deliveryKit, signedInUser } from "./webhooks-fixtures";

const t = await createTestContext();
afterAll(() => t.close());
const admin = await signedInUser(t, "ADMIN");
const hook = await createHook(t, admin);
const { send, snapshot } = deliveryKit(t, hook);
const PRO = "Seatkey Pro — Team";

async function accountPage(user: { email: string; password: string }) {
  const browser = new FormClient(t);
  await browser.get("/login");
  await browser.post("/login", { email: user.email, password: user.password });
  const res = await browser.get("/account");
  expect(res.res.status).toBe(200);
  return res.html;
}

/** The product cells of the account page's licenses table. */
const productCells = (html: string) =>
  [...html.matchAll(/<tr>\s*<td>([^<]*)<\/td>/g)].map((m) => m[1]?.replace(/&#8212;|&mdash;/g, "—"));

describe("productName", () => {
  test("grant-license names the product; /account shows the name, and the id for a license without one", async () => {
    const granted = await send<{ user: { id: string }; license: { productName: string | null } }>({
      action: "grant-license",
      email: "named@example.com",
      name: "Named",
      productId: "pro",
      productName: `  ${PRO}  `,
      seats: 2,
      validUntil: "2031-01-01",
    });
    expect(granted.status).toBe(200);
    expect(granted.body.response.license.productName).toBe(PRO); // trimmed
    const userId = granted.body.response.user.id;
    const plain = await send({
      action: "create-license",
      userId,
      productId: "raw-id",
      seats: 1,
      validUntil: "2031-01-01",
    });
    expect(plain.status).toBe(200);
    // Give the user a password to sign in to the page.
    const seeded = await seedUser(t, { email: "page@example.com" });
    await t.deps.db.write((tx) => tx.update(licenses).set({ userId: seeded.id }).where(eq(licenses.userId, userId)));
    const html = await accountPage(seeded);
    expect(productCells(html)).toEqual([PRO, "raw-id"]);
    expect(html).not.toContain("<td>pro</td>");
  });

  test("update-license renames and null clears (the id shows again); nothing else changes", async () => {
    const user = await seedUser(t, { licenses: [{ productId: "suite", seats: 1 }] });
    const [row] = await t.deps.db.orm.select().from(licenses).where(eq(licenses.userId, user.id));
    const renamed = await send<{ changed: string[] }>({
      action: "update-license",
      licenseId: row!.id,
      productName: "Suite",
    });
    expect(renamed.body.response.changed).toEqual(["productName"]);
    expect(productCells(await accountPage(user))).toEqual(["Suite"]);
    const cleared = await send({ action: "update-license", licenseId: row!.id, productName: null });
    expect(cleared.status).toBe(200);
    expect(productCells(await accountPage(user))).toEqual(["suite"]);
  });

  test("an over-long or blank name is a 400 naming productName, and nothing changes", async () => {
    const before = await snapshot();
    for (const productName of ["x".repeat(101), "   ", 42]) {
      const res = await send({
        action: "grant-license",
        email: "refused@example.com",
        name: "Refused",
        productId: "pro",
        productName,
        seats: 1,
        validUntil: "2031-01-01",
      });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe("productName");
    }
    const admin400 = await t.request("POST", "/api/admin/licenses", {
      headers: { authorization: `Bearer ${admin.token}` },
      body: { userId: admin.id, productId: "pro", productName: "y".repeat(101), seats: 1, validUntil: "2031-01-01" },
    });
    expect(admin400.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  test("a store's product map entry names the licenses it grants", async () => {
    const store = await createStoreHook(t, admin.token, "gumroad");
    const auth = { authorization: `Bearer ${admin.token}` };
    const path = `/api/webhooks/${store.id}/products/seatkey-pro`;
    const tooLong = await t.request("PUT", path, {
      headers: auth,
      body: { productId: "pro", productName: "z".repeat(101) },
    });
    expect(tooLong.status).toBe(400);
    const put = await t.request("PUT", path, { headers: auth, body: { productId: "pro", productName: "Pro (store)" } });
    expect(((await put.json()) as { product: { productName: string } }).product.productName).toBe("Pro (store)");
    expect((await sendFixture(t, store, "sale")).status).toBe(200);
    const granted = await t.deps.db.orm.select().from(licenses).where(eq(licenses.provider, "gumroad"));
    expect(granted.map((l) => l.productName)).toEqual(["Pro (store)"]);
  });

  test("bun run admin: license grant --name, and user show prints the name beside the id", async () => {
    const user = await seedUser(t, { email: "cli@example.com" });
    const grant = await runAdmin(t.deps, [
      "license",
      "grant",
      user.email,
      "--product",
      "cli-pro",
      "--until",
      "2031-01-01",
      "--name",
      "CLI Pro",
    ]);
    expect(grant.code).toBe(0);
    expect(grant.stdout).toContain("CLI Pro (cli-pro)");
    const show = await runAdmin(t.deps, ["user", "show", user.email]);
    expect(show.stdout).toContain("CLI Pro (cli-pro)");
  }, 30_000);
});
