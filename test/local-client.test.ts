// db/local-client.ts: statements prepared once per connection must never change what a query
// answers — fresh data across connections, new columns after a schema change, errors as
// @libsql/client reports them, rows shaped as it shapes them.
import { afterAll, describe, expect, test } from "bun:test";
import { createClient, LibsqlError } from "@libsql/client";
import { join } from "node:path";
import { createLocalClient, filePath } from "../db/local-client";
import { tempDir } from "./helpers";

const dir = tempDir("seatkey-local-client-");
const url = `file:${join(dir, "cache.db")}`;
const client = createLocalClient({ url, connections: 4, timeout: 5000, pragmas: ["PRAGMA foreign_keys = ON"] });
afterAll(() => client.close());

describe("local client with a statement cache", () => {
  test("a cached read sees what another connection (and another client) committed since", async () => {
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)");
    const count = async () => Number((await client.execute("SELECT count(*) AS n FROM t")).rows[0]?.n);
    expect(await count()).toBe(0);
    const tx = await client.transaction("write");
    await tx.execute({ sql: "INSERT INTO t (v) VALUES (?)", args: ["a"] });
    expect(await count()).toBe(0); // the transaction's connection is not the reader's
    await tx.commit();
    expect(await count()).toBe(1);
    const other = createClient({ url });
    await other.execute("INSERT INTO t (v) VALUES ('b')");
    other.close();
    expect(await count()).toBe(2);
  });

  test("after a schema change a cached SELECT * returns the new columns", async () => {
    const before = await client.execute("SELECT * FROM t ORDER BY id");
    expect(before.columns).toEqual(["id", "v"]);
    await client.execute("ALTER TABLE t ADD COLUMN w INTEGER DEFAULT 7");
    const after = await client.execute("SELECT * FROM t ORDER BY id");
    expect(after.columns).toEqual(["id", "v", "w"]);
    expect(after.rows[0]?.w).toBe(7);
    // The same, changed by another client (a migration run from a script while the server serves).
    const other = createClient({ url });
    await other.execute("ALTER TABLE t ADD COLUMN z TEXT DEFAULT 'zz'");
    other.close();
    const outside = await client.execute("SELECT * FROM t ORDER BY id");
    expect(outside.columns).toEqual(["id", "v", "w", "z"]);
    expect(outside.rows[0]?.z).toBe("zz");
  });

  test("rows read by index and by name, named keys only enumerable, same as @libsql/client", async () => {
    const sql = { sql: "SELECT id, v, id AS id, 'x' AS length, v AS [__proto__] FROM t WHERE v = ?", args: ["a"] };
    const ours = (await client.execute(sql)).rows[0];
    const reference = createClient({ url });
    const theirs = (await reference.execute(sql)).rows[0];
    reference.close();
    expect(ours?.length).toBe(5);
    expect(Array.prototype.slice.call(ours)).toEqual(Array.prototype.slice.call(theirs));
    expect(Object.keys(ours ?? {})).toEqual(Object.keys(theirs ?? {}));
    expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
  });

  test("a statement limited to one row (LIMIT 1, or drizzle's limit ? with 1) reads the same as without", async () => {
    const all = (await client.execute("SELECT id, v FROM t ORDER BY id")).rows.map((r) => [r.id, r.v]);
    expect(all.length).toBeGreaterThan(1);
    const one = await client.execute("SELECT id, v FROM t ORDER BY id LIMIT 1");
    expect(one.rows.map((r) => [r.id, r.v])).toEqual(all.slice(0, 1));
    expect(one.columns).toEqual(["id", "v"]);
    const limited = (n: number) => client.execute({ sql: "SELECT id, v FROM t ORDER BY id limit ?", args: [n] });
    expect((await limited(1)).rows.map((r) => [r.id, r.v])).toEqual(all.slice(0, 1));
    expect((await limited(2)).rows.map((r) => [r.id, r.v])).toEqual(all.slice(0, 2));
    expect((await client.execute("SELECT id FROM t WHERE v = 'none' LIMIT 1")).rows).toEqual([]);
    expect((await client.execute({ sql: "SELECT id FROM t WHERE v = ? limit ?", args: ["none", 1] })).rows).toEqual([]);
  });

  test("constraint errors are LibsqlErrors with SQLite's codes; a failed transaction rolls back", async () => {
    const error = await client.execute("INSERT INTO t (v) VALUES ('a')").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LibsqlError);
    expect((error as LibsqlError).code).toBe("SQLITE_CONSTRAINT");
    expect((error as LibsqlError).extendedCode).toBe("SQLITE_CONSTRAINT_UNIQUE");
    const tx = await client.transaction("write");
    await tx.execute("INSERT INTO t (v) VALUES ('c')");
    await tx.rollback();
    expect(tx.closed).toBe(true);
    expect((await client.execute("SELECT count(*) AS n FROM t WHERE v = 'c'")).rows[0]?.n).toBe(0);
    await expect(tx.execute("SELECT 1")).rejects.toThrow(/closed/);
  });

  test("bad arguments are refused before they reach SQLite", async () => {
    await expect(client.execute({ sql: "SELECT ?", args: [undefined as never] })).rejects.toThrow(TypeError);
    await expect(client.execute({ sql: "SELECT ?", args: [Number.NaN] })).rejects.toThrow(RangeError);
    const rs = await client.execute({ sql: "SELECT ? AS b, ? AS n", args: [true, 5n] });
    expect([rs.rows[0]?.b, rs.rows[0]?.n]).toEqual([1, 5]);
  });

  test("file: URLs are read as @libsql/client reads them; another host is refused", () => {
    expect(filePath("file:db/seatkey.db")).toBe("db/seatkey.db");
    expect(filePath("file:/var/x.db")).toBe("/var/x.db");
    expect(filePath("file:///var/x%20y.db")).toBe("/var/x y.db");
    expect(filePath("file://localhost/var/x.db")).toBe("/var/x.db");
    expect(() => filePath("file://evil/x.db")).toThrow(/host/);
  });

  test("a closed client refuses calls with CLIENT_CLOSED", async () => {
    const closing = createLocalClient({ url, connections: 1, timeout: 100 });
    closing.close();
    await expect(closing.execute("SELECT 1")).rejects.toThrow(/closed/);
  });
});
