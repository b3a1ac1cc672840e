// Deleting many rows without holding the write lock for long: short write transactions of at most
// DELETE_BATCH rows each, until none match. Each owner of a table uses it for its own housekeeping.
import { sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Deps } from "../deps";

const DELETE_BATCH = 500;

/** Deletes the rows of `table` matching `where`, in batches; returns how many went. */
export async function deleteInBatches(
  deps: Pick<Deps, "db">,
  table: SQLiteTable,
  key: SQLiteColumn,
  where: SQL,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const result = await deps.db.write((tx) =>
      tx.run(
        sql`DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${DELETE_BATCH})`,
      ),
    );
    deleted += result.rowsAffected;
    if (result.rowsAffected < DELETE_BATCH) return deleted;
  }
}
