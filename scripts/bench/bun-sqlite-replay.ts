// Child process of driver.ts: replays recorded statements (JSON on stdin) through bun:sqlite
// prepared statements on `file`, with the pragmas openDatabase sets, and prints µs per replay.
// Its own process, so its SQLite never shares POSIX locks with @libsql/client's.
import { Database, type SQLQueryBindings, type Statement } from "bun:sqlite";
import { timePerCall, type Recorded } from "./driver";

const [file, seconds] = process.argv.slice(2);
if (!file || !seconds) throw new Error("usage: bun-sqlite-replay.ts <file> <seconds> < statements.json");
const statements = JSON.parse(await Bun.stdin.text()) as Recorded[];

const db = new Database(file);
for (const pragma of ["busy_timeout = 5000", "foreign_keys = ON", "synchronous = NORMAL", "journal_mode = WAL"]) {
  db.run(`PRAGMA ${pragma}`);
}
const prepared = new Map<string, Statement>();
const statement = (sql: string) => {
  let stmt = prepared.get(sql);
  if (!stmt) prepared.set(sql, (stmt = db.prepare(sql)));
  return stmt;
};
const toBun = (value: unknown): SQLQueryBindings =>
  typeof value === "boolean" ? Number(value) : (value as SQLQueryBindings);

const perReplay = await timePerCall(() => {
  for (const { sql, args } of statements) statement(sql).all(...args.map(toBun));
}, Number(seconds));
db.close();
console.log(perReplay);
