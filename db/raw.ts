// Hot statements as constant SQL text with `?` arguments, run straight on the libSQL connection —
// the transaction's own inside `write`. drizzle builds a raw sql`` query anew on every call (its
// chunks walked and joined, a prepared-query object made, each row copied): on the refresh path
// that cost more than SQLite's own work (README "Performance"). Everything else goes through
// drizzle as usual, and these statements see exactly what drizzle's would: same connection, same
// transaction, rows keyed by column name.
import { sql, type SQL } from "drizzle-orm";
import type { InArgs, InValue, ResultSet } from "@libsql/client";
import type { Orm, Tx } from "./client";

type Reader = Pick<Orm, "all">;

/** What drizzle runs its queries on: the libSQL client, or inside a transaction the transaction. */
interface Executor {
  execute(statement: { sql: string; args: InArgs }): Promise<ResultSet>;
}

/**
 * drizzle keeps a handle's executor on its session (`tx` in a transaction, else `client`). Not part
 * of its typed API: if a drizzle upgrade moves it this throws (test/raw.test.ts shows it), and it
 * never quietly runs a statement outside the caller's transaction.
 */
function executorOf(reader: Reader): Executor {
  const session = (reader as unknown as { session?: { tx?: Executor; client?: Executor } }).session;
  const executor = session?.tx ?? session?.client;
  if (!executor) throw new Error("db/raw: no libSQL executor on this drizzle handle (drizzle changed?)");
  return executor;
}

/** Rows of a SELECT; `T` names the columns as the statement aliases them. */
export async function rawAll<T>(reader: Reader, text: string, args: InValue[]): Promise<T[]> {
  const result = await executorOf(reader).execute({ sql: text, args });
  return result.rows as unknown as T[];
}

/** Runs an INSERT, UPDATE or DELETE; the number of rows it changed. */
export async function rawRun(tx: Tx, text: string, args: InValue[]): Promise<number> {
  return (await executorOf(tx).execute({ sql: text, args })).rowsAffected;
}

/** The same text and arguments as a drizzle fragment, to embed in a query built the usual way. */
export function rawSql(text: string, args: InValue[]): SQL {
  const parts = text.split("?");
  if (parts.length !== args.length + 1) throw new Error(`rawSql: ${parts.length - 1} "?" for ${args.length} values`);
  return sql(Object.assign(parts, { raw: parts }) as TemplateStringsArray, ...args);
}
