// Scaling (README "Running in production") without a libSQL server at hand: what can be checked of remote databases and embedded
// replicas here — configuration, the client each URL builds, and how writes are routed.
import { afterAll, describe, expect, test } from "bun:test";
import { createClient } from "@libsql/client";
import { sql } from "drizzle-orm";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { openDatabase, routeWrites } from "../db/client";
import { ConfigError, loadConfig } from "../src/config";
import { tempDir } from "./helpers";
import { freePort } from "./process-helpers";

const dir = tempDir("seatkey-remote-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return error instanceof ConfigError ? error.problems : [String(error)];
  }
}

describe("remote libSQL configuration", () => {
  test("libsql://, https:// and an embedded replica (file: + DATABASE_SYNC_URL) are accepted", () => {
    const remote = loadConfig({ DATABASE_URL: "libsql://db-org.turso.io", DATABASE_AUTH_TOKEN: "tok" });
    expect(remote.databaseUrl).toBe("libsql://db-org.turso.io");
    expect(remote.databaseAuthToken).toBe("tok");
    expect(loadConfig({ DATABASE_URL: "https://sqld.internal:8080" }).databaseUrl).toBe("https://sqld.internal:8080");
    const replica = loadConfig({
      DATABASE_URL: "file:/var/lib/seatkey/replica.db",
      DATABASE_SYNC_URL: "libsql://db.turso.io",
    });
    expect(replica.databaseSyncUrl).toBe("libsql://db.turso.io");
  });

  test("a sync URL needs a local replica file, and must itself be a libSQL server URL", () => {
    expect(problemsOf({ DATABASE_URL: "libsql://a.turso.io", DATABASE_SYNC_URL: "libsql://b.turso.io" })[0]).toContain(
      "DATABASE_SYNC_URL",
    );
    expect(problemsOf({ DATABASE_URL: "file:r.db", DATABASE_SYNC_URL: "ftp://x" })[0]).toContain("DATABASE_SYNC_URL");
    expect(problemsOf({ DATABASE_URL: "postgres://x" })[0]).toContain("DATABASE_URL");
  });
});

describe("remote libSQL client", () => {
  test("a libsql:// URL builds a network client: no local file, no in-process write lock", async () => {
    const db = await openDatabase({ url: `libsql://127.0.0.1:${freePort()}`, authToken: "token" });
    try {
      expect(db.local).toBe(false);
      expect(db.client.protocol).not.toBe("file");
    } finally {
      db.close();
    }
  });

  test("remote writes are not serialised in-process: concurrent transactions reach the server together", async () => {
    // A loopback HTTP endpoint that holds every request 300 ms and refuses it: enough to see how
    // many write transactions are on the wire at once.
    let inFlight = 0;
    let most = 0;
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch() {
        most = Math.max(most, ++inFlight);
        await Bun.sleep(300);
        inFlight--;
        return new Response("unavailable", { status: 503 });
      },
    });
    const db = await openDatabase({ url: `http://127.0.0.1:${server.port}`, authToken: "token" });
    try {
      const started = Date.now();
      const writes = [1, 2, 3].map(() => db.write((tx) => tx.run(sql`INSERT INTO users (id) VALUES ('x')`)));
      const results = await Promise.allSettled(writes);
      expect(results.every((r) => r.status === "rejected")).toBe(true);
      expect(most).toBe(3);
      expect(Date.now() - started).toBeLessThan(800);
    } finally {
      db.close();
      server.stop(true);
    }
  });

  test("an embedded replica whose primary is unreachable fails at open with the reason", async () => {
    const started = Date.now();
    const open = openDatabase({
      url: `file:${join(dir, "replica.db")}`,
      syncUrl: `http://127.0.0.1:${freePort()}`,
      authToken: "token",
    });
    await expect(open).rejects.toThrow(/sync|connect/i);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("embedded replica routing (two real files standing in for replica and primary)", () => {
  const make = (name: string, concurrency?: number) =>
    createClient({ url: `file:${join(dir, `${name}.db`)}`, ...(concurrency ? { concurrency } : {}) });

  test("a single-connection client fails reads during a write transaction; routed writes do not hold it", async () => {
    const reader = make("reader", 1);
    const writer = make("writer");
    let pulls = 0;
    const routed = routeWrites(reader, writer, async () => void pulls++);
    try {
      // Why replicas need the routing: their one connection, held by a transaction, refuses reads.
      const direct = await reader.transaction("write");
      await expect(reader.execute("SELECT 1")).rejects.toThrow(/transaction/i);
      await direct.rollback();

      await routed.migrate([{ sql: "CREATE TABLE t (v TEXT)", args: [] }]);
      expect(pulls).toBe(1);
      const tx = await routed.transaction("write");
      await tx.execute({ sql: "INSERT INTO t VALUES (?)", args: ["written"] });
      // The reader stays free while the write transaction is open.
      expect((await routed.execute("SELECT 1 AS one")).rows[0]?.one).toBe(1);
      await tx.commit();
      expect((await writer.execute("SELECT v FROM t")).rows[0]?.v).toBe("written");
      // Reads go to the reader (here a separate file, which has no such table).
      await expect(routed.execute("SELECT v FROM t")).rejects.toThrow(/no such table/);
      await routed.batch([{ sql: "INSERT INTO t VALUES ('b')", args: [] }], "write");
      expect(pulls).toBe(2);
    } finally {
      routed.close();
    }
    expect(reader.closed && writer.closed).toBe(true);
  });
});
