// How much of a request is @libsql/client driver overhead: the statements one request really
// runs are recorded (by wrapping the client the app's drizzle uses), then replayed one request at
// a time through @libsql/client and through bun:sqlite prepared statements on the same file with
// the same pragmas. The difference per request is the driver's cost; bun:sqlite is what SQLite
// itself needs. We measure, we do not switch drivers.
//
// bun:sqlite runs in a child process (bun-sqlite-replay.ts): two SQLite libraries in one process
// on one file release each other's POSIX locks and corrupt it (sqlite.org/howtocorrupt.html 2.2).
import type { InArgs, InStatement, InValue, ResultSet, Transaction } from "@libsql/client";
import { join } from "node:path";
import type { Database } from "../../db/client";

export interface Recorded {
  sql: string;
  args: InValue[];
}

const BEGIN = "BEGIN IMMEDIATE";
const COMMIT = "COMMIT";

type Execute = (stmt: InStatement | string, args?: InArgs) => Promise<ResultSet>;
type Begin = (mode?: string) => Promise<Transaction>;

function toRecorded(stmt: InStatement | string, args?: InArgs): Recorded {
  const sql = typeof stmt === "string" ? stmt : stmt.sql;
  const given = typeof stmt === "string" ? args : stmt.args;
  return { sql, args: Array.isArray(given) ? [...given] : [] };
}

/** Wraps `db.client` so every statement (and transaction boundary) is recorded while `on`. */
export function recordStatements(db: Database) {
  const client = db.client as unknown as { execute: Execute; transaction: Begin };
  const execute = client.execute.bind(db.client) as Execute;
  const transaction = client.transaction.bind(db.client) as Begin;
  let log: Recorded[] = [];
  let on = false;
  client.execute = (stmt, args) => {
    if (on) log.push(toRecorded(stmt, args));
    return execute(stmt, args);
  };
  client.transaction = async (mode) => {
    if (on) log.push({ sql: BEGIN, args: [] });
    const tx = await transaction(mode);
    const txExecute = tx.execute.bind(tx) as Execute;
    const commit = tx.commit.bind(tx);
    const wrapped = tx as unknown as { execute: Execute; commit: () => Promise<void> };
    wrapped.execute = (stmt, args) => {
      if (on) log.push(toRecorded(stmt, args));
      return txExecute(stmt, args);
    };
    wrapped.commit = () => {
      if (on) log.push({ sql: COMMIT, args: [] });
      return commit();
    };
    return tx;
  };
  return {
    /** Records the statements `fn` runs. */
    async capture(fn: () => Promise<unknown>): Promise<Recorded[]> {
      log = [];
      on = true;
      try {
        await fn();
      } finally {
        on = false;
      }
      return log;
    },
  };
}

async function replayLibsql(db: Database, statements: Recorded[]): Promise<void> {
  let tx: Transaction | undefined;
  for (const { sql, args } of statements) {
    if (sql === BEGIN) tx = await db.client.transaction("write");
    else if (sql === COMMIT) await tx?.commit();
    else await (tx ?? db.client).execute({ sql, args });
  }
}

/** Mean microseconds per call of `fn`, one at a time, for about `seconds`. */
export async function timePerCall(fn: () => unknown, seconds: number): Promise<number> {
  for (let i = 0; i < 50; i++) await fn(); // warm-up
  let calls = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    for (let i = 0; i < 20; i++) await fn();
    calls += 20;
  }
  return ((performance.now() - started) * 1000) / calls;
}

export interface DriverResult {
  /** Driver calls per request (statements + transaction begin/commit). */
  calls: number;
  /** µs per request, statements through @libsql/client. */
  libsql: number;
  /** µs per request, the same statements through bun:sqlite prepared statements. */
  bunSqlite: number;
}

/** µs per request replaying `statements` through bun:sqlite, measured in a child process. */
async function bunSqliteReplay(file: string, statements: Recorded[], seconds: number): Promise<number> {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "bun-sqlite-replay.ts"), file, String(seconds)], {
    stdin: new Blob([JSON.stringify(statements, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v))]),
    stdout: "pipe",
    stderr: "inherit",
  });
  const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  if (code !== 0) throw new Error(`bun:sqlite replay exited with ${code}`);
  return Number(out.trim());
}

export async function compareDrivers(
  db: Database,
  file: string,
  statements: Recorded[],
  seconds: number,
): Promise<DriverResult> {
  return {
    calls: statements.length,
    libsql: await timePerCall(() => replayLibsql(db, statements), seconds),
    bunSqlite: await bunSqliteReplay(file, statements, seconds),
  };
}
