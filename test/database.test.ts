import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { sql } from "drizzle-orm";
import { tempDir } from "./helpers";

const dir = tempDir();
const url = `file:${join(dir, "migrate.db")}`;
const db = await openDatabase({ url });
afterAll(() => db.close());

async function scalar(sql: string): Promise<unknown> {
  const rs = await db.client.execute(sql);
  return rs.rows[0]?.[0];
}

describe("database", () => {
  test("migrations create every table from an empty file, and are idempotent", async () => {
    await migrateDatabase(db);
    await migrateDatabase(db);
    const rs = await db.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    const tables = rs.rows.map((r) => r.name);
    for (const t of [
      "users",
      "licenses",
      "sessions",
      "webhook_tokens",
      "email_tokens",
      "audit_log",
      "rate_limits",
      "webhook_events",
      "mail_outbox",
    ]) {
      expect(tables).toContain(t);
    }
  });

  test("the file is in WAL mode with a busy timeout and foreign keys on every connection", async () => {
    expect(await scalar("PRAGMA journal_mode")).toBe("wal");
    // Several calls at once borrow several pooled connections: each must carry the pragmas.
    const timeouts = await Promise.all(Array.from({ length: 4 }, () => scalar("PRAGMA busy_timeout")));
    expect(timeouts.every((t) => Number(t) === 5000)).toBe(true);
    const fks = await Promise.all(Array.from({ length: 4 }, () => scalar("PRAGMA foreign_keys")));
    expect(fks.every((f) => Number(f) === 1)).toBe(true);
  });

  test("emails are unique case-insensitively and license seats must be at least 1", async () => {
    await db.client.execute(
      "INSERT INTO users (id, email, name, created_at, updated_at) VALUES ('u1', 'a@x.io', 'A', 0, 0)",
    );
    await expect(
      db.client.execute(
        "INSERT INTO users (id, email, name, created_at, updated_at) VALUES ('u2', 'A@X.IO', 'A', 0, 0)",
      ),
    ).rejects.toThrow();
    await expect(
      db.client.execute(
        "INSERT INTO licenses (id, user_id, product_id, seats, valid_until, created_at, updated_at) VALUES ('l1', 'u1', 'p', 0, 0, 0, 0)",
      ),
    ).rejects.toThrow();
  });

  test("concurrent writes through write() all land (no SQLITE_BUSY inside one process)", async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        db.write((tx) => tx.run(sql`INSERT INTO rate_limits (key, count, window_start) VALUES (${`k${i}`}, 1, 0)`)),
      ),
    );
    expect(Number(await scalar("SELECT count(*) FROM rate_limits"))).toBe(40);
  });

  test("hot lookups use indexes, not scans", async () => {
    const plan = async (sql: string) =>
      (await db.client.execute(`EXPLAIN QUERY PLAN ${sql}`)).rows.map((r) => String(r.detail)).join(" | ");
    expect(await plan("SELECT * FROM sessions WHERE id = 'x'")).toContain("USING INDEX");
    expect(await plan("SELECT * FROM sessions WHERE user_id = 'x' AND kind = 'app' AND revoked_at IS NULL")).toContain(
      "USING INDEX",
    );
    expect(await plan("SELECT * FROM licenses WHERE user_id = 'x' AND valid_until > 5")).toContain("USING");
    expect(await plan("SELECT * FROM users WHERE email = 'x'")).toContain("USING");
    expect(await plan("SELECT * FROM email_tokens WHERE token_hash = 'x'")).toContain("USING");
  });
});
