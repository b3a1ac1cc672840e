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
    expect(body.products).toEqual([{ productId: "pro", used: 1, total: 2 }]);
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
