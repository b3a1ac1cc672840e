// db/raw.ts: constant SQL text run straight on libSQL must behave exactly as drizzle's raw queries
// do — inside `write` on the transaction's own connection (seeing its uncommitted changes, rolled
// back with it), outside on the pool.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../db/client";
import { rawAll, rawRun, rawSql } from "../db/raw";
import { tempDir } from "./helpers";

const db = await openDatabase({ url: `file:${join(tempDir("seatkey-raw-"), "raw.db")}` });
afterAll(() => db.close());
await db.client.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
const values = async () => (await rawAll<{ v: string }>(db.orm, "SELECT v FROM t ORDER BY id", [])).map((r) => r.v);

describe("raw statements", () => {
  test("inside write they run in its transaction: they see its changes, and roll back with it", async () => {
    let seenInside: string[] = [];
    let seenOutside: string[] = [];
    await db.write(async (tx) => {
      expect(await rawRun(tx, "INSERT INTO t (v) VALUES (?), (?)", ["a", "b"])).toBe(2);
      seenInside = (await rawAll<{ v: string }>(tx, "SELECT v FROM t ORDER BY id", [])).map((r) => r.v);
      seenOutside = await values(); // another connection: not committed yet
    });
    expect(seenInside).toEqual(["a", "b"]);
    expect(seenOutside).toEqual([]);
    expect(await values()).toEqual(["a", "b"]);

    const failed = db.write(async (tx) => {
      await rawRun(tx, "UPDATE t SET v = ? WHERE v = ?", ["changed", "a"]);
      throw new Error("refused");
    });
    await expect(failed).rejects.toThrow("refused");
    expect(await values()).toEqual(["a", "b"]);
  });

  test("rows are keyed by the statement's column names; arguments bind in order", async () => {
    const rows = await rawAll<{ id: number; value: string }>(db.orm, "SELECT id, v AS value FROM t WHERE v = ?", ["b"]);
    expect(rows).toEqual([expect.objectContaining({ id: 2, value: "b" })]);
    expect(Object.keys(rows[0] ?? {})).toEqual(["id", "value"]);
  });

  test("rawSql embeds the same text in a drizzle query; a count of ? that does not match is refused", async () => {
    const rows = await db.orm.all<{ v: string }>(rawSql("SELECT v FROM t WHERE id > ? AND v != ?", [0, "a"]));
    expect(rows).toEqual([{ v: "b" }]);
    expect(() => rawSql("SELECT ? + ?", [1])).toThrow('2 "?" for 1 values');
  });

  test("a handle that is not drizzle's is refused rather than run elsewhere", async () => {
    await expect(rawAll({} as typeof db.orm, "SELECT 1", [])).rejects.toThrow("no libSQL executor");
  });
});
