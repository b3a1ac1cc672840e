// bun run admin import auth-license-server <postgres:// URL>: the same import from a real Postgres
// server laid out as Prisma's Postgres migrations leave it (TIMESTAMP(3) dates, SERIAL ids), with
// real bcrypt hashes. Old passwords sign in, a re-run changes nothing, --dry-run writes nothing,
// and a bad URL is refused without ever printing its password.
import { afterAll, describe, expect, test } from "bun:test";
import { count, eq } from "drizzle-orm";
import { SQL } from "bun";
import { licenses, users, webhookTokens } from "../db/schema";
import type { ImportReport } from "../src/import/auth-license-server";
import { buildAuthLicenseServerPg, FAR, KEVIN } from "./auth-license-server-db";
import { runAdmin } from "./cli-helpers";
import { createTestContext } from "./helpers";
import { POSTGRES_BIN, type Postgres, startPostgres } from "./postgres";

describe.skipIf(!POSTGRES_BIN)("import auth-license-server from Postgres", async () => {
  const t = await createTestContext();
  let pg: Postgres | undefined;
  afterAll(async () => {
    await pg?.stop();
    await t.close();
  });
  pg = await startPostgres();
  await buildAuthLicenseServerPg(pg.url, [
    KEVIN,
    { email: "ana@example.com", name: "Ana", password: "Sommer2022!", status: "INACTIVE" },
  ]);
  const url = pg.url;
  const rows = async () => ({
    users: (await t.deps.db.orm.select({ n: count() }).from(users))[0]?.n,
    licenses: (await t.deps.db.orm.select({ n: count() }).from(licenses))[0]?.n,
    webhooks: (await t.deps.db.orm.select({ n: count() }).from(webhookTokens))[0]?.n,
  });
  const login = (email: string, password: string) =>
    t.request("POST", "/api/auth/login", { body: { email, password } });

  test("--dry-run reports what would change and writes nothing", async () => {
    const before = await rows();
    const run = await runAdmin(t.deps, ["import", "auth-license-server", url, "--dry-run", "--json"]);
    expect(run.code).toBe(0);
    const report = run.json<ImportReport>();
    expect(report).toMatchObject({ dryRun: true, liveSessions: 2 });
    expect(report.users).toEqual({ imported: 2, already: 0, skipped: 0, matched: 0 });
    expect(await rows()).toEqual(before);
  });

  test("imports users, their bcrypt hashes and dates, licenses and webhooks; old passwords sign in", async () => {
    const run = await runAdmin(t.deps, ["import", "auth-license-server", url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/users +imported 2, already here 0, skipped 0/);
    expect(run.stdout).toContain("skipped webhook #2: revoked in auth-license-server");
    const kevin = await t.deps.db.orm.query.users.findFirst({ where: eq(users.email, "kevin@example.com") });
    expect(kevin).toMatchObject({ role: "ADMIN", createdAt: Date.parse("2022-07-01T10:00:00Z") });
    expect(kevin?.passwordHash).toMatch(/^\$2b\$10\$/);
    const own = await t.deps.db.orm.select().from(licenses).where(eq(licenses.userId, kevin!.id));
    expect(own.map((l) => [l.seats, l.validUntil]).sort()).toEqual([
      [1, FAR],
      [5, Date.parse("2040-06-01T00:00:00Z")],
    ]);
    expect((await login("kevin@example.com", "password")).status).toBe(200);
    const after = await t.deps.db.orm.query.users.findFirst({ where: eq(users.id, kevin!.id) });
    expect(after?.passwordHash).toMatch(/^\$argon2id\$/);
    expect((await login("ana@example.com", "Sommer2022!")).status).toBe(403); // INACTIVE there
  });

  test("a re-run changes nothing", async () => {
    const before = await rows();
    const run = await runAdmin(t.deps, ["import", "auth-license-server", url, "--json"]);
    expect(run.json<ImportReport>().users).toMatchObject({ imported: 0, already: 2 });
    expect(await rows()).toEqual(before);
  });

  test("a server that does not answer, or another database, is refused; the password is never printed", async () => {
    const closed = "postgres://seller:s3cret-pw@127.0.0.1:9/auth";
    const down = await runAdmin(t.deps, ["import", "auth-license-server", closed]);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain("Could not read the Postgres database at postgres://seller:***@127.0.0.1:9/auth");
    expect(down.stdout + down.stderr).not.toContain("s3cret-pw");
    const admin = new SQL(url, { max: 1 });
    await admin.unsafe("CREATE DATABASE other");
    await admin.close();
    const other = await runAdmin(t.deps, ["import", "auth-license-server", url.replace(/\/postgres$/, "/other")]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('is not an auth-license-server database (no table "User"');
  });
});
