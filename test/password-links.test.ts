// Password links follow the account: a change of address or status voids them, and a link is
// refused when its account is not active at the moment it is used.
import { afterAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { users } from "../db/schema";
import { mailPasswordLinkIn } from "../src/passwords/service";
import { updateUserIn } from "../src/users/service";
import { PASSWORD, seedUser } from "./fixtures";
import { createTestContext } from "./helpers";

const t = await createTestContext();
afterAll(() => t.close());

const NEW_PASSWORD = "a completely different passphrase";

async function linkFor(userId: string): Promise<string> {
  const user = (await t.deps.db.orm.query.users.findFirst({ where: eq(users.id, userId) }))!;
  const link = await t.deps.db.write((tx) => mailPasswordLinkIn(tx, t.deps, user));
  return new URL(link).searchParams.get("token") ?? "";
}

const use = (token: string) =>
  t.request("POST", "/api/auth/create-password", { body: { token, password: NEW_PASSWORD, confirm: NEW_PASSWORD } });

describe("password links", () => {
  test("an email change voids the links sent to the old address", async () => {
    const user = await seedUser(t);
    const token = await linkFor(user.id);
    await t.deps.db.write((tx) =>
      updateUserIn(tx, t.deps, user.id, { email: `new-${user.email}` }, { actor: "webhook:test" }),
    );
    const res = await use(token);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("invalid_token");
    expect((await t.request("GET", `/create-password?token=${token}`)).status).not.toBe(200);
  });

  test("deactivating the account voids its links, and reactivating does not revive them", async () => {
    const user = await seedUser(t);
    const token = await linkFor(user.id);
    await t.deps.db.write((tx) => updateUserIn(tx, t.deps, user.id, { status: "INACTIVE" }, { actor: "webhook:t" }));
    await t.deps.db.write((tx) => updateUserIn(tx, t.deps, user.id, { status: "ACTIVE" }, { actor: "webhook:t" }));
    expect((await use(token)).status).toBe(401);
  });

  test("a link is refused while its account is inactive, however the status was set", async () => {
    const user = await seedUser(t);
    const token = await linkFor(user.id);
    await t.deps.db.client.execute({ sql: "UPDATE users SET status = 'INACTIVE' WHERE id = ?", args: [user.id] });
    expect((await use(token)).status).toBe(401);
    const row = await t.deps.db.orm.query.users.findFirst({ where: eq(users.id, user.id) });
    expect(await t.deps.hasher.verify(row?.passwordHash ?? null, PASSWORD)).toBe(true); // unchanged
  });

  test("a name change leaves the link working", async () => {
    const user = await seedUser(t);
    const token = await linkFor(user.id);
    await t.deps.db.write((tx) => updateUserIn(tx, t.deps, user.id, { name: "Renamed" }, { actor: "webhook:t" }));
    expect((await use(token)).status).toBe(200);
  });
});
