// db/checkpointer.ts: a serving process's WAL is copied back into the database file by a thread of
// its own, not inside the COMMIT of whichever request crossed 1000 pages.
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { openDatabase, type Database } from "../db/client";
import { rawAll, rawRun } from "../db/raw";
import { FALLBACK_AUTOCHECKPOINT_PAGES } from "../db/checkpointer";
import { tempDir } from "./helpers";

const dir = tempDir("seatkey-checkpoint-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** ~2 MB of rows in 200 commits: under SQLite's own 1000-page autocheckpoint, so only a thread copies them. */
async function fill(db: Database) {
  await db.client.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)");
  for (let i = 0; i < 200; i++) {
    await db.write((tx) => rawRun(tx, "INSERT INTO t (v) VALUES (randomblob(10000))", []));
  }
}

describe("WAL checkpoints", () => {
  test("a serving database checkpoints in the background; its connections only past the fallback", async () => {
    const file = join(dir, "serving.db");
    const db = await openDatabase({ url: `file:${file}`, backgroundCheckpoints: true });
    try {
      const [pragma] = await rawAll<{ wal_autocheckpoint: number }>(db.orm, "PRAGMA wal_autocheckpoint", []);
      expect(pragma?.wal_autocheckpoint).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
      await fill(db);
      await Bun.sleep(800);
      expect(statSync(file).size).toBeGreaterThan(1_500_000); // the pages reached the database file
    } finally {
      db.close();
    }
  });

  test("an operator script's database (no thread) leaves a small WAL to SQLite", async () => {
    const file = join(dir, "script.db");
    const db = await openDatabase({ url: `file:${file}` });
    try {
      await fill(db);
      await Bun.sleep(800);
      expect(statSync(file).size).toBeLessThan(500_000); // still only in the WAL
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(1_500_000);
    } finally {
      db.close();
    }
  });
});
