// bun run admin, as an operator runs it: a child process on a real database. Tables for people,
// --json for scripts, exit codes that mean something, --help on every level, bad arguments.
import { afterAll, describe, expect, test } from "bun:test";
import { runAdmin } from "./cli-helpers";
import { loginAs, seedUser } from "./fixtures";
import { createTestContext } from "./helpers";

const t = await createTestContext();
afterAll(() => t.close());

const ada = await seedUser(t, {
  email: "ada@example.com",
  name: "Ada Lovelace",
  licenses: [{ productId: "pro", seats: 2 }],
});
await seedUser(t, { email: "bob@example.org", name: "Bob", status: "INACTIVE" });
const adaLogin = await loginAs(t, ada);
const admin = (...args: string[]) => runAdmin(t.deps, args);

describe("bun run admin: reading", () => {
  test("--help on every level; a group without its command shows its help and exits 2", async () => {
    const top = await admin("--help");
    expect(top.code).toBe(0);
    for (const group of ["users", "user", "audit", "import"]) expect(top.stdout).toContain(group);
    const user = await admin("user", "--help");
    expect(user.code).toBe(0);
    expect(user.stdout).toContain("show <user>");
    const bare = await admin("user");
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("Usage: admin user");
  });

  test("unknown commands and options are usage errors (exit 2) with a hint", async () => {
    const unknown = await admin("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    expect(unknown.stderr).toContain("--help");
    const option = await admin("users", "find", "ada", "--colour");
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option '--colour'");
    const missing = await admin("user", "show");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'user'");
  });

  test("users find prints an aligned table without colour when not on a terminal", async () => {
    const run = await admin("users", "find", "example");
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("\u001b["); // no ANSI colour in a pipe
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^email +name +role +status +licenses +sessions +id$/);
    expect(lines.some((l) => /^ada@example\.com +Ada Lovelace +OWNER +ACTIVE +1 +1 /.test(l))).toBe(true);
    expect(lines.some((l) => /^bob@example\.org +Bob +OWNER +INACTIVE +0 +0 /.test(l))).toBe(true);
    // Aligned: every row's second column starts where the header's does.
    const at = lines[0]!.indexOf("name");
    for (const l of lines.slice(1)) expect(l.slice(at - 2, at)).toBe("  ");
  });

  test("users find --json is the API's list", async () => {
    const run = await admin("--json", "users", "find", "ADA@");
    expect(run.code).toBe(0);
    const body = run.json<{ users: { email: string; licenses: unknown[] }[]; total: number }>();
    expect(body.total).toBe(1);
    expect(body.users[0]?.email).toBe("ada@example.com");
    expect(JSON.stringify(body)).not.toContain("passwordHash");
  });

  test("user show: licenses, seats per product, sessions and recent events; by email or id", async () => {
    const run = await admin("user", "show", "Ada@Example.com");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/seats +1 used of 2/);
    expect(run.stdout).toMatch(/^pro +1 +2$/m);
    expect(run.stdout).toContain(adaLogin.sessionId);
    expect(run.stdout).toContain("login.succeeded");
    const json = await admin("user", "show", ada.id, "--json");
    const body = json.json<{ user: { email: string }; products: unknown[]; sessions: { id: string }[] }>();
    expect(body.user.email).toBe("ada@example.com");
    expect(body.products).toEqual([{ productId: "pro", productName: null, used: 1, total: 2 }]);
    expect(body.sessions.map((s) => s.id)).toEqual([adaLogin.sessionId]);
  });

  test("an unknown user exits 3 and says how to find one; --json carries the error too", async () => {
    const run = await admin("user", "show", "nobody@example.com", "--json");
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("bun run admin users find");
    expect(run.json()).toMatchObject({ code: "user_not_found" });
  });

  test("audit filters by user, event family and time; bad --since is a usage error", async () => {
    const run = await admin("audit", "--user", "ada@example.com", "--event", "login", "--json");
    expect(run.code).toBe(0);
    const events = run.json<{ event: string; userId: string }[]>();
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.event.startsWith("login.") && e.userId === ada.id)).toBe(true);
    const none = await admin("audit", "--since", "2100-01-01", "--json");
    expect(none.json<unknown[]>()).toEqual([]);
    const bad = await admin("audit", "--since", "yesterday");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--since must be a date like 2031-01-31 or a span like 24h");
  });
});

describe("bun run admin: changing", () => {
  test("user create prints a set-password link; a taken email exits 4", async () => {
    const run = await admin("user", "create", "Cleo@Example.com", "Cleo", "--role", "MANAGER");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("created cleo@example.com");
    expect(run.stdout).toMatch(/http:\/\/localhost:3000\/create-password\?token=[A-Za-z0-9_-]{43}/);
    const [again, badRole] = await Promise.all([
      admin("user", "create", "cleo@example.com", "Twin", "--json"),
      admin("user", "create", "dora@example.com", "Dora", "--role", "KING"),
    ]);
    expect(again.code).toBe(4);
    expect(again.json()).toMatchObject({ code: "email_taken" });
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain("role must be one of ADMIN, OWNER, MANAGER");
  });

  test("destructive commands are refused without --yes when nobody can confirm (exit 5), nothing changes", async () => {
    const refusals = await Promise.all([
      admin("user", "disable", "ada@example.com"),
      admin("user", "delete", "ada@example.com"),
      admin("sessions", "revoke", "--user", "ada@example.com"),
      admin("session", "revoke", adaLogin.sessionId),
    ]);
    for (const run of refusals) {
      expect(run.code).toBe(5);
      expect(run.stderr).toContain("add --yes");
    }
    const shown = (await admin("user", "show", "ada@example.com", "--json")).json<{
      user: { status: string };
      sessions: unknown[];
    }>();
    expect(shown.user.status).toBe("ACTIVE");
    expect(shown.sessions).toHaveLength(1);
  });

  test("license grant, extend, set-seats, end and delete; bad values exit 2, unknown licenses 3", async () => {
    const grant = await admin(
      "license",
      "grant",
      "bob@example.org",
      "--product",
      "pro",
      "--seats",
      "3",
      "--until",
      "2031-06-01",
      "--json",
    );
    expect(grant.code).toBe(0);
    const license = grant.json<{ license: { id: string; seats: number; validUntil: number } }>().license;
    expect(license).toMatchObject({ seats: 3, validUntil: Date.parse("2031-06-01") });
    const extend = await admin("license", "extend", license.id, "2032-01-01T00:00:00Z");
    expect(extend.code).toBe(0);
    expect(extend.stdout).toMatch(/valid until +2032-01-01 00:00/);
    const seats = await admin("license", "set-seats", license.id, "2", "--yes", "--json");
    expect(seats.json<{ license: { seats: number } }>().license.seats).toBe(2);
    const end = await admin("license", "end", license.id, "--yes", "--json");
    expect(end.json<{ license: { validUntil: number } }>().license.validUntil).toBeLessThanOrEqual(Date.now());
    const [missing, badSeats, badDate, unknown, noYes] = await Promise.all([
      admin("license", "grant", "bob@example.org", "--until", "2031-06-01"),
      admin("license", "grant", "bob@example.org", "--product", "pro", "--seats", "many", "--until", "2031-06-01"),
      admin("license", "extend", license.id, "next week"),
      admin("license", "delete", "no-such-license", "--yes"),
      admin("license", "delete", license.id),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--product <productId>' not specified");
    expect(badSeats.code).toBe(2);
    expect(badSeats.stderr).toContain("--seats must be a whole number");
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain("validUntil must be an ISO 8601 date");
    expect(unknown.code).toBe(3);
    expect(noYes.code).toBe(5);
    expect((await admin("license", "delete", license.id, "--yes")).code).toBe(0);
  });

  test("webhooks create, list, rotate-secret and revoke; rotating a revoked one exits 4", async () => {
    const created = await admin("webhooks", "create", "Shop", "--json");
    expect(created.code).toBe(0);
    const hook = created.json<{ id: string; token: string }>();
    expect(hook.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const list = await admin("webhooks", "list");
    expect(list.stdout).toMatch(new RegExp(`^${hook.id} +Shop +seatkey +store +no `, "m"));
    const rotated = await admin("webhooks", "rotate-secret", hook.id, "--yes");
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/new signing secret \(shown this once\): whsec_/);
    expect((await admin("webhooks", "revoke", hook.id, "--yes")).code).toBe(0);
    const again = await admin("webhooks", "rotate-secret", hook.id, "--yes");
    expect(again.code).toBe(4);
    expect(again.stderr).toContain("revoked");
    // The store's calls now fail.
    const call = await t.request("POST", "/api/webhooks", {
      body: { action: "revoke-session", sessionId: "x" },
      headers: { authorization: `Bearer ${hook.token}` },
    });
    expect(call.status).toBe(401);
  });

  test("stats counts users, licenses, seats per product, sessions and logins", async () => {
    const run = await admin("stats", "--json");
    expect(run.code).toBe(0);
    const s = run.json<{
      users: { total: number };
      seats: { productId: string; used: number; total: number }[];
      days: unknown[];
    }>();
    expect(s.users.total).toBeGreaterThanOrEqual(3);
    expect(s.seats.find((p) => p.productId === "pro")).toMatchObject({ total: 2 });
    expect(s.days).toHaveLength(7);
    expect((await admin("stats")).stdout).toMatch(/^Seats per product/m);
  });

  test("disable, enable, session revoke and delete with --yes; every change is audited with actor operator", async () => {
    const disabled = await admin("user", "disable", "ada@example.com", "--yes", "--json");
    expect(disabled.code).toBe(0);
    expect(disabled.json()).toMatchObject({ changed: ["status"], revokedSessions: 1 });
    expect((await t.request("POST", "/api/auth/login", { body: ada })).status).toBe(403);
    expect((await admin("user", "enable", "ada@example.com")).code).toBe(0);
    const again = await loginAs(t, ada);
    expect((await admin("session", "revoke", again.sessionId, "--yes")).stdout).toContain(
      `revoked session ${again.sessionId}`,
    );
    const link = await admin("user", "reset-link", "ada@example.com");
    expect(link.stdout).toContain("/create-password?token=");
    expect((await admin("user", "delete", "ada@example.com", "--yes")).code).toBe(0);
    expect((await admin("user", "show", "ada@example.com")).code).toBe(3);
    const events = (await admin("audit", "--event", "admin", "--json")).json<{ event: string; actor: string }[]>();
    expect(new Set(events.map((e) => e.event))).toEqual(
      new Set([
        "admin.create-user",
        "admin.create-license",
        "admin.update-license",
        "admin.delete-license",
        "admin.revoke-webhook",
        "admin.rotate-webhook-secret",
        "admin.update-user",
        "admin.revoke-session",
        "admin.reset-link",
        "admin.delete-user",
      ]),
    );
    expect(events.every((e) => e.actor === "operator")).toBe(true);
  });
});
