// An app and a store written for auth-license-server, unchanged, against seatkey after the import:
// the client in test/legacy-client.ts follows that server's handlers' request and response shapes.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { importAuthLicenseServer } from "../src/import/auth-license-server";
import { buildAuthLicenseServerDb } from "./auth-license-server-db";
import { sessionRow } from "./fixtures";
import { createTestContext } from "./helpers";
import { LegacyClient, LegacyClientError, type LegacyUser } from "./legacy-client";

const t = await createTestContext({ env: { DEFAULT_PRODUCT_ID: "app-pro" } });
afterAll(() => t.close());

const FAR = "2040-01-01T00:00:00.000Z";
const file = join(t.dir, "auth.db");
await buildAuthLicenseServerDb(file, [
  {
    email: "kevin@example.com",
    name: "Kevin",
    password: "password",
    role: "ADMIN",
    licenses: [{ productId: "app-pro", seats: 1, validUntil: Date.parse(FAR) }],
  },
  { email: "ana@example.com", name: "Ana", password: "ana-password" },
]);
await importAuthLicenseServer(t.deps, file);

const client = new LegacyClient((request) => t.app.handle(request));
const refused = async (call: Promise<unknown>) => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LegacyClientError);
  return error as LegacyClientError;
};

describe("an auth-license-server client, unchanged", () => {
  let access = "";
  let webhookUrl = "";
  let newUser: LegacyUser;

  test("logs in with its old password and refreshes with the cookie", async () => {
    const login = await client.login("kevin@example.com", "password");
    expect(login.remainingLicenses).toBe(0); // its one seat is now taken
    expect(login.accessToken.split(".")).toHaveLength(3);
    const next = await client.refresh(login.refreshToken);
    expect(next.refreshToken).not.toBe(login.refreshToken);
    access = next.accessToken;
  });

  test("creates a webhook and reads `webhook`, the URL with its token", async () => {
    webhookUrl = await client.createWebhook(access, "Store");
    expect(webhookUrl).toMatch(/^http:\/\/localhost:3000\/api\/webhook\?token=[A-Za-z0-9_-]{43}$/);
  });

  test("create-user answers the user object", async () => {
    const { success, response, time } = await client.hook(webhookUrl, {
      action: "create-user",
      email: "new@example.com",
      name: "New",
    });
    expect(success).toBe(true);
    expect(typeof time).toBe("number");
    expect(response).toMatchObject({
      email: "new@example.com",
      name: "New",
      role: "OWNER",
      status: "ACTIVE",
      licenses: [],
      sessions: [],
    });
    expect(JSON.stringify(response)).not.toMatch(/password|token/i);
    newUser = response;
  });

  test("create-license takes its defaults: DEFAULT_PRODUCT_ID and one seat", async () => {
    const { response } = await client.hook(webhookUrl, {
      action: "create-license",
      userId: newUser.id,
      validUntil: FAR,
    });
    expect(response.id).toBe(newUser.id);
    expect(response.licenses).toEqual([expect.objectContaining({ productId: "app-pro", seats: 1, validUntil: FAR })]);
  });

  test("its old integer ids still name the imported users", async () => {
    const { response } = await client.hook(webhookUrl, {
      action: "create-license",
      userId: 2,
      productId: "x",
      seats: 3,
      validUntil: FAR,
    });
    expect(response.email).toBe("ana@example.com");
    const license = response.licenses.find((l) => l.productId === "x");
    expect(license?.seats).toBe(3);
    const updated = await client.hook(webhookUrl, { action: "update-license", licenseId: license!.id, seats: 2 });
    expect(updated.response.licenses.find((l) => l.id === license!.id)?.seats).toBe(2);
    const ana = await client.user(access, 2);
    expect(ana.email).toBe("ana@example.com");
    expect((await client.user(access, ana.id)).email).toBe("ana@example.com");
    const deleted = await client.hook(webhookUrl, { action: "delete-license", licenseId: license!.id });
    expect(deleted.response.licenses.some((l) => l.id === license!.id)).toBe(false);
  });

  test("revoke-all-user-sessions answers the user without live sessions; delete-user answers true", async () => {
    const revoked = await client.hook(webhookUrl, { action: "revoke-all-user-sessions", userId: 2 });
    expect(revoked.response.email).toBe("ana@example.com");
    expect(revoked.response.sessions).toEqual([]);
    expect((await client.hook<boolean>(webhookUrl, { action: "delete-user", userId: 2 })).response).toBe(true);
    expect((await refused(client.user(access, 2))).status).toBe(404);
  });

  test("a difference that remains: a store-scope token cannot sign out or change an ADMIN", async () => {
    const refusal = await refused(client.hook(webhookUrl, { action: "revoke-all-user-sessions", userId: 1 }));
    expect(refusal.status).toBe(403);
    expect((await client.user(access, 1)).email).toBe("kevin@example.com");
  });

  test("login ?limited=true signs in without a seat, and stays so at every refresh", async () => {
    const claims = (token: string) =>
      JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    const trial = await client.login("kevin@example.com", "password", { limited: true });
    expect(claims(trial.accessToken)).toMatchObject({ limited: true, limitedReason: "requested", licenses: [] });
    const row = async () => (await sessionRow(t, String(claims(trial.accessToken).sid)))!;
    expect(await row()).toMatchObject({ limited: true, limitedReason: "requested" });
    const next = await client.refresh(trial.refreshToken);
    expect(claims(next.accessToken)).toMatchObject({ limited: true, limitedReason: "requested" });
    expect(await row()).toMatchObject({ limited: true, limitedReason: "requested" });
  });

  test("bad calls fail as they did: unknown token 401, unknown action 400, unknown user 404", async () => {
    expect(
      (await refused(client.hook(webhookUrl.replace(/token=.*/, "token=nope"), { action: "create-user" }))).status,
    ).toBe(401);
    expect((await refused(client.hook(webhookUrl, { action: "explode" }))).status).toBe(400);
    expect(
      (await refused(client.hook(webhookUrl, { action: "create-license", userId: 999, validUntil: FAR }))).status,
    ).toBe(404);
    const user = await client.login("new@example.com", "whatever").catch((e: LegacyClientError) => e);
    expect((user as LegacyClientError).status).toBe(401); // no password set yet: the set-password mail
  });
});
