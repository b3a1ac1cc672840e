// bun run admin import auth-license-server: on a database laid out as auth-license-server's Prisma
// migrations leave it, with real bcrypt hashes. Old passwords sign in and become Argon2id, a
// re-run changes nothing, --dry-run writes nothing, new webhook tokens work on the old URL form.
import { afterAll, describe, expect, test } from "bun:test";
import { count, eq } from "drizzle-orm";
import { join } from "node:path";
import { auditLog, legacyIds, licenses, users, webhookTokens } from "../db/schema";
import type { ImportReport } from "../src/import/auth-license-server";
import { buildAuthLicenseServerDb, FAR, KEVIN } from "./auth-license-server-db";
import { runAdmin } from "./cli-helpers";
import { createTestContext } from "./helpers";

const t = await createTestContext();
afterAll(() => t.close());

const seedFile = join(t.dir, "auth.db");
await buildAuthLicenseServerDb(seedFile, [
  KEVIN,
  {
    email: "ana@example.com",
    name: "Ana",
    password: "Sommer2022!",
    status: "INACTIVE",
    createdAt: "2022-06-30 08:00:00",
  },
  { email: "kevin@example.com", name: "Kevin twin", password: "whatever1" },
  {
    email: "gone@example.com",
    name: "Gone",
    password: "x-password",
    status: "DELETED",
    licenses: [{ productId: "p", seats: 0, validUntil: FAR }],
  },
]);

const tableCounts = async () => ({
  users: (await t.deps.db.orm.select({ n: count() }).from(users))[0]?.n,
  licenses: (await t.deps.db.orm.select({ n: count() }).from(licenses))[0]?.n,
  webhooks: (await t.deps.db.orm.select({ n: count() }).from(webhookTokens))[0]?.n,
  legacy: (await t.deps.db.orm.select({ n: count() }).from(legacyIds))[0]?.n,
  audit: (await t.deps.db.orm.select({ n: count() }).from(auditLog))[0]?.n,
});
const login = (email: string, password: string) => t.request("POST", "/api/auth/login", { body: { email, password } });

describe("import auth-license-server", () => {
  test("--dry-run reports what would change and writes nothing", async () => {
    const before = await tableCounts();
    const run = await runAdmin(t.deps, ["import", "auth-license-server", seedFile, "--dry-run", "--json"]);
    expect(run.code).toBe(0);
    const report = run.json<ImportReport>();
    expect(report.dryRun).toBe(true);
    expect(report.users).toEqual({ imported: 3, already: 0, skipped: 1, matched: 0 });
    expect(report.licenses.imported).toBe(2);
    expect(report.issuedWebhooks).toEqual([]); // no token is shown for a webhook that was not made
    expect(await tableCounts()).toEqual(before);
  });

  test("imports users with their bcrypt hashes, role and status, licenses and re-issued webhooks", async () => {
    const run = await runAdmin(t.deps, ["import", "auth-license-server", seedFile]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Import finished.");
    expect(run.stdout).toMatch(/users +imported 3, already here 0, skipped 1/);
    expect(run.stdout).toContain("sessions  2 not brought over");
    expect(run.stdout).toContain("skipped user #3: its email differs only in case from user #1");
    expect(run.stdout).toContain("skipped license #3: seats must be a whole number");
    expect(run.stdout).toContain("skipped webhook #2: revoked in auth-license-server");
    expect(run.stdout).toContain('status "DELETED" imported as INACTIVE');

    const kevin = await t.deps.db.orm.query.users.findFirst({ where: eq(users.email, "kevin@example.com") });
    expect(kevin).toMatchObject({
      name: "Kevin B",
      role: "ADMIN",
      status: "ACTIVE",
      createdAt: Date.parse("2022-07-01T10:00:00Z"),
    });
    expect(kevin?.passwordHash).toMatch(/^\$2b\$10\$/);
    const ana = await t.deps.db.orm.query.users.findFirst({ where: eq(users.email, "ana@example.com") });
    expect(ana).toMatchObject({ status: "INACTIVE", createdAt: Date.parse("2022-06-30T08:00:00Z") });
    const kevinLicenses = await t.deps.db.orm.select().from(licenses).where(eq(licenses.userId, kevin!.id));
    expect(kevinLicenses.map((l) => [l.productId, l.seats, l.validUntil]).sort()).toEqual([
      ["123456789", 1, FAR],
      ["123456789", 5, Date.parse("2040-06-01T00:00:00Z")],
    ]);

    // The new webhook token, printed once, works on the URL form the store already has.
    const url = /http:\/\/localhost:3000\/api\/webhook\?token=([A-Za-z0-9_-]{43})/.exec(run.stdout);
    expect(url).not.toBeNull();
    const hook = await t.request("POST", `/api/webhooks?token=${url![1]}`, {
      body: { action: "create-license", userId: kevin!.id, productId: "x", seats: 1, validUntil: FAR },
    });
    expect(hook.status).toBe(200);
  });

  test("an old password signs in, and its hash becomes Argon2id; a wrong one does not", async () => {
    expect((await login("kevin@example.com", "Password")).status).toBe(401);
    const res = await login("KEVIN@example.com", "password");
    expect(res.status).toBe(200);
    expect((await t.json<{ limited: boolean }>(res)).limited).toBe(false);
    const kevin = await t.deps.db.orm.query.users.findFirst({ where: eq(users.email, "kevin@example.com") });
    expect(kevin?.passwordHash).toMatch(/^\$argon2id\$/);
    expect((await login("kevin@example.com", "password")).status).toBe(200); // and again, on Argon2id
    expect((await login("ana@example.com", "Sommer2022!")).status).toBe(403); // imported INACTIVE
  });

  test("a re-run changes nothing", async () => {
    const before = await tableCounts();
    const run = await runAdmin(t.deps, ["import", "auth-license-server", seedFile, "--json"]);
    expect(run.code).toBe(0);
    const report = run.json<ImportReport>();
    expect(report.users).toMatchObject({ imported: 0, already: 3, skipped: 1 });
    expect(report.licenses).toMatchObject({ imported: 0, already: 2 });
    expect(report.webhooks).toMatchObject({ imported: 0, already: 1 });
    expect(report.issuedWebhooks).toEqual([]);
    expect(await tableCounts()).toEqual(before);
  });

  test("a missing file or another database is refused with a clear message", async () => {
    const missing = await runAdmin(t.deps, ["import", "auth-license-server", join(t.dir, "nope.db")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("No such file");
    const ours = await runAdmin(t.deps, ["import", "auth-license-server", join(t.dir, "test.db")]);
    expect(ours.code).toBe(2);
    expect(ours.stderr).toContain('is not an auth-license-server database (no table "User"');
  });
});
