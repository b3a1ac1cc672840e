// A libSQL client for local files (plain or embedded replica) that prepares each statement once.
// @libsql/client's own local client runs the same engine (the `libsql` package) but prepares every
// statement on every call — BEGIN and COMMIT included — and reads its columns twice: under load
// those native calls were most of the server's CPU (README, Performance). This one keeps, per
// connection, the prepared statement and its column names keyed by SQL, and drops them after a
// migration or any other schema change. It implements @libsql/client's `Client`, so drizzle runs
// the same code over it as over the remote client.
import {
  LibsqlBatchError,
  LibsqlError,
  type Client,
  type InArgs,
  type InStatement,
  type Replicated,
  type ResultSet,
  type Row,
  type Transaction,
  type TransactionMode,
  type Value,
} from "@libsql/client";
import Database from "libsql";

type Connection = InstanceType<typeof Database>;
type Statement = ReturnType<Connection["prepare"]>;

export interface LocalClientOptions {
  /** `file:` URL of the database (for a replica: of its local file). */
  url: string;
  /** Most connections open at once (a replica, or `:memory:`, has exactly one). */
  connections: number;
  /** SQLite busy timeout, ms. */
  timeout: number;
  /** Run on every connection when it opens. */
  pragmas?: string[];
  /** Embedded replica: the primary it syncs from, and how. */
  replica?: { syncUrl: string; authToken?: string | undefined; syncInterval: number };
}

/** One prepared statement with what is read once: its column names, and whether it returns rows. */
interface Prepared {
  stmt: Statement;
  columns: string[];
  columnTypes: string[];
  /** Makes a row of this statement's columns (see rowMaker). */
  toRow: (values: unknown[]) => Row;
  returnsRows: boolean;
  /** Ends in `LIMIT 1`, or in `limit ?` (drizzle's findFirst and .limit(n)): at most one row when n is 1. */
  limit: "one" | "param" | undefined;
}

// Drizzle's statements are a bounded set; raw SQL with inlined values is not, so cap the cache.
const CACHE_LIMIT = 1000;
const SCHEMA_CHANGE = /^\s*(CREATE|DROP|ALTER)\b/i;
const BEGIN: Record<TransactionMode, string> = {
  write: "BEGIN IMMEDIATE",
  read: "BEGIN TRANSACTION READONLY",
  deferred: "BEGIN DEFERRED",
};

/** A connection and its statement cache. */
class CachedConnection {
  private cache = new Map<string, Prepared>();

  constructor(
    readonly db: Connection,
    /** Called after a schema change made through this connection: every cached statement goes. */
    private readonly onSchemaChange: () => void,
  ) {}

  run(stmt: InStatement): ResultSet {
    const { sql, args } = typeof stmt === "string" ? { sql: stmt, args: [] as InArgs } : stmt;
    try {
      const prepared = this.prepared(sql);
      const bound = toSqlArgs(args);
      if (!prepared.returnsRows) {
        const info = prepared.stmt.run(bound);
        if (SCHEMA_CHANGE.test(sql)) this.onSchemaChange();
        return resultSet([], [], [], info.changes, BigInt(info.lastInsertRowid));
      }
      // libsql's get() is one native call; all() takes two (execute, then fetch the rows).
      const values = (
        isOneRow(prepared, bound) ? [prepared.stmt.get(bound)].filter(Boolean) : prepared.stmt.all(bound)
      ) as unknown[][];
      // Another process changed the schema (SQLite re-prepared the statement): read the columns again.
      if (values[0] && values[0].length !== prepared.columns.length) this.readColumns(prepared);
      const rows = values.map(prepared.toRow);
      return resultSet(prepared.columns, prepared.columnTypes, rows, 0, undefined);
    } catch (error) {
      throw toLibsqlError(error);
    }
  }

  /** Runs `sql` (several statements) without caching; it may change the schema. */
  runScript(sql: string): void {
    try {
      this.db.exec(sql);
    } catch (error) {
      throw toLibsqlError(error);
    } finally {
      this.onSchemaChange();
    }
  }

  forget(): void {
    this.cache.clear();
  }

  private readColumns(prepared: Prepared): void {
    const columns = prepared.stmt.columns();
    prepared.columns = columns.map((c) => c.name);
    prepared.columnTypes = columns.map((c) => c.type ?? "");
    prepared.toRow = rowMaker(prepared.columns);
  }

  private prepared(sql: string): Prepared {
    const hit = this.cache.get(sql);
    if (hit) return hit;
    const stmt = this.db.prepare(sql);
    stmt.safeIntegers(true);
    let returnsRows = true;
    try {
      stmt.raw(true);
    } catch {
      returnsRows = false; // raw() refuses a statement that returns no rows
    }
    const limit = /\blimit 1\s*$/i.test(sql) ? "one" : /\blimit \?\s*$/i.test(sql) ? "param" : undefined;
    const prepared: Prepared = { stmt, columns: [], columnTypes: [], toRow: rowMaker([]), returnsRows, limit };
    if (returnsRows) this.readColumns(prepared);
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(sql, prepared);
    return prepared;
  }
}

/** Opens a client, and its first connection now, so a file that cannot be opened fails here. */
export function createLocalClient(options: LocalClientOptions): Client {
  const client = new LocalClient(options);
  client.probe();
  return client;
}

class LocalClient implements Client {
  closed = false;
  readonly protocol = "file";
  private readonly path: string;
  private readonly limit: number;
  private idle: CachedConnection[] = [];
  private readonly all = new Set<CachedConnection>();
  private waiters: { resolve: (c: CachedConnection) => void; reject: (e: Error) => void }[] = [];

  constructor(private readonly options: LocalClientOptions) {
    this.path = filePath(options.url);
    this.limit = options.replica || this.path === ":memory:" ? 1 : Math.max(1, options.connections);
  }

  probe(): void {
    this.release(this.open());
  }

  // Every call but a transaction is synchronous once it has its connection, so it borrows and
  // returns one in the same tick; only a transaction holds one across awaits.
  async execute(stmt: InStatement | string, args?: InArgs): Promise<ResultSet> {
    const statement = typeof stmt === "string" ? { sql: stmt, args: args ?? [] } : stmt;
    return this.withConnection((c) => c.run(statement));
  }

  async batch(stmts: Array<InStatement | [string, InArgs?]>, mode: TransactionMode = "deferred"): Promise<ResultSet[]> {
    return this.withConnection((c) => inTransaction(c, BEGIN[mode], stmts.map(toStatement)));
  }

  async migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.withConnection((c) => {
      c.run("PRAGMA foreign_keys=off");
      try {
        return inTransaction(c, BEGIN.deferred, stmts);
      } finally {
        c.run("PRAGMA foreign_keys=on");
        this.forgetAll();
      }
    });
  }

  async transaction(mode: TransactionMode = "write"): Promise<Transaction> {
    const connection = await this.acquire();
    try {
      connection.run(BEGIN[mode]);
    } catch (error) {
      this.release(connection);
      throw error;
    }
    return new LocalTransaction(connection, () => this.release(connection));
  }

  async executeMultiple(sql: string): Promise<void> {
    return this.withConnection((c) => c.runScript(sql));
  }

  async sync(): Promise<Replicated> {
    return this.withConnection((c) => {
      const before = c.run("PRAGMA schema_version").rows[0]?.[0];
      const report = c.db.sync() as { frames_synced: number; frame_no: number };
      if (c.run("PRAGMA schema_version").rows[0]?.[0] !== before) this.forgetAll();
      return { frames_synced: report.frames_synced, frame_no: report.frame_no };
    });
  }

  reconnect(): void {
    this.close();
    this.closed = false;
  }

  close(): void {
    this.closed = true;
    for (const c of this.all) if (c.db.open) c.db.close();
    this.all.clear();
    this.idle = [];
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(new LibsqlError("The client is closed", "CLIENT_CLOSED"));
  }

  private async withConnection<T>(use: (c: CachedConnection) => T): Promise<T> {
    const connection = await this.acquire();
    try {
      return use(connection);
    } finally {
      this.release(connection);
    }
  }

  private acquire(): Promise<CachedConnection> {
    if (this.closed) return Promise.reject(new LibsqlError("The client is closed", "CLIENT_CLOSED"));
    const idle = this.idle.pop();
    if (idle) return Promise.resolve(idle);
    if (this.all.size < this.limit) return Promise.resolve(this.open());
    if (this.limit === 1) {
      return Promise.reject(
        new LibsqlError(
          "This client has a single connection, which an open transaction is holding.",
          "TRANSACTION_ACTIVE",
        ),
      );
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private release(connection: CachedConnection): void {
    if (!this.all.has(connection)) return; // closed meanwhile
    if (connection.db.inTransaction) {
      try {
        connection.run("ROLLBACK"); // never hand on a connection mid-transaction
      } catch {
        this.all.delete(connection);
        connection.db.close();
        return;
      }
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(connection);
    else this.idle.push(connection);
  }

  private open(): CachedConnection {
    const { timeout, replica } = this.options;
    // libsql's constructor takes more options than its (better-sqlite3) type declares.
    const db = new Database(
      this.path,
      (replica
        ? { syncUrl: replica.syncUrl, authToken: replica.authToken ?? "", syncPeriod: replica.syncInterval }
        : { timeout }) as ConstructorParameters<typeof Database>[1],
    );
    const connection = new CachedConnection(db, () => this.forgetAll());
    try {
      for (const pragma of this.options.pragmas ?? []) connection.run(pragma);
    } catch (error) {
      db.close();
      throw error;
    }
    this.all.add(connection);
    return connection;
  }

  private forgetAll(): void {
    for (const c of this.all) c.forget();
  }
}

class LocalTransaction implements Transaction {
  private connection: CachedConnection | undefined;

  constructor(
    connection: CachedConnection,
    private readonly settle: () => void,
  ) {
    this.connection = connection;
  }

  get closed(): boolean {
    return !this.connection?.db.open || !this.connection.db.inTransaction;
  }

  async execute(stmt: InStatement): Promise<ResultSet> {
    return this.open().run(stmt);
  }

  async batch(stmts: InStatement[]): Promise<ResultSet[]> {
    return stmts.map((stmt, i) => inBatch(i, () => this.open().run(stmt)));
  }

  async executeMultiple(sql: string): Promise<void> {
    this.open().runScript(sql);
  }

  async commit(): Promise<void> {
    try {
      this.open().run("COMMIT");
    } finally {
      this.close();
    }
  }

  async rollback(): Promise<void> {
    const connection = this.connection;
    try {
      if (connection?.db.open && connection.db.inTransaction) connection.run("ROLLBACK");
    } finally {
      this.close();
    }
  }

  close(): void {
    if (!this.connection) return;
    this.connection = undefined;
    this.settle(); // the pool rolls back anything still open
  }

  private open(): CachedConnection {
    if (this.closed || !this.connection) throw new LibsqlError("The transaction is closed", "TRANSACTION_CLOSED");
    return this.connection;
  }
}

function inTransaction(c: CachedConnection, begin: string, stmts: InStatement[]): ResultSet[] {
  c.run(begin);
  const results = stmts.map((stmt, i) => inBatch(i, () => c.run(stmt)));
  c.run("COMMIT");
  return results;
}

function inBatch<T>(index: number, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof LibsqlError && !(error instanceof LibsqlBatchError)) {
      throw new LibsqlBatchError(error.message, index, error.code, error.extendedCode, error.rawCode, error);
    }
    throw error;
  }
}

function toStatement(stmt: InStatement | [string, InArgs?]): InStatement {
  return Array.isArray(stmt) ? { sql: stmt[0], args: stmt[1] ?? [] } : stmt;
}

/** The path in a `file:` URL, as @libsql/client reads it (file:rel.db, file:/abs.db, file:///abs.db). */
export function filePath(url: string): string {
  const rest = url.replace(/^file:/, "").split("?", 1)[0] ?? "";
  const match = /^\/\/([^/]*)(\/.*)?$/.exec(rest);
  if (!match) return decodeURIComponent(rest);
  if (match[1] !== "" && match[1]?.toLowerCase() !== "localhost") {
    throw new LibsqlError(`Invalid host in file URL: ${JSON.stringify(match[1])}`, "URL_INVALID");
  }
  return decodeURIComponent(match[2] ?? "");
}

function resultSet(
  columns: string[],
  columnTypes: string[],
  rows: Row[],
  rowsAffected: number,
  lastInsertRowid: bigint | undefined,
): ResultSet {
  return {
    columns,
    columnTypes,
    rows,
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({
      columns,
      columnTypes,
      rows: rows.map((row) => Array.prototype.map.call(row, jsonValue)),
      rowsAffected,
      lastInsertRowid: lastInsertRowid === undefined ? null : String(lastInsertRowid),
    }),
  };
}

/** A row as @libsql/client shapes it: values by index (not enumerable) and by column name (the first of a name). */
const VALUES = Symbol("values");

/**
 * Rows shaped as @libsql/client shapes them: values by index (what drizzle reads) and by column
 * name (the first of a repeated name), only the names enumerable. The index accessors and length
 * live on one prototype per statement, so making a row is one object and its named values.
 */
function rowMaker(columns: string[]): (values: unknown[]) => Row {
  const proto: Record<number | string, unknown> = {};
  const named: [number, string][] = [];
  columns.forEach((column, i) => {
    Object.defineProperty(proto, i, {
      get(this: { [VALUES]: unknown[] }) {
        return this[VALUES][i];
      },
    });
    // As @libsql/client: a column called "length" is read by index only.
    if (column !== "length" && !named.some(([, name]) => name === column)) named.push([i, column]);
  });
  Object.defineProperty(proto, "length", { value: columns.length });
  return (values) => {
    const row = Object.create(proto) as Record<string | symbol, unknown>;
    for (let i = 0; i < values.length; i++) values[i] = fromSql(values[i]);
    Object.defineProperty(row, VALUES, { value: values });
    for (const [i, name] of named) {
      if (name === "__proto__")
        Object.defineProperty(row, name, { value: values[i], enumerable: true, writable: true });
      else row[name] = values[i];
    }
    return row as unknown as Row;
  };
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function fromSql(value: unknown): Value {
  if (typeof value === "bigint") {
    if (value < MIN_SAFE || value > MAX_SAFE) {
      throw new RangeError("Received integer which cannot be safely represented as a JavaScript number");
    }
    return Number(value);
  }
  if (value instanceof Buffer) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  return value as Value;
}

function isOneRow(prepared: Prepared, bound: unknown[] | Record<string, unknown>): boolean {
  if (prepared.limit === "one") return true;
  return prepared.limit === "param" && Array.isArray(bound) && bound[bound.length - 1] === 1;
}

function toSqlArgs(args: InArgs | undefined): unknown[] | Record<string, unknown> {
  if (args === undefined) return [];
  if (Array.isArray(args)) return args.map(toSql);
  const named: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(args)) named[name.replace(/^[@$:]/, "")] = toSql(value);
  return named;
}

function toSql(value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new RangeError("Only finite numbers (not Infinity or NaN) can be passed as arguments");
  }
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (value instanceof Date) return value.valueOf();
  if (value === undefined) throw new TypeError("undefined cannot be passed as argument to the database");
  return value;
}

function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return String(value);
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString("base64");
  return value;
}

function toLibsqlError(error: unknown): unknown {
  if (error instanceof Database.SqliteError) {
    const { code: extendedCode, rawCode } = error as unknown as { code: string; rawCode?: number };
    const base =
      rawCode === undefined ? "SQLITE_UNKNOWN" : (SQLITE_CODES[rawCode & 0xff] ?? `SQLITE_UNKNOWN_${rawCode & 0xff}`);
    return new LibsqlError(error.message, base, extendedCode, rawCode, error);
  }
  return error;
}

// SQLite's primary result codes (https://www.sqlite.org/rescode.html), as @libsql/client names them.
const SQLITE_CODES: Record<number, string> = {
  1: "SQLITE_ERROR",
  2: "SQLITE_INTERNAL",
  3: "SQLITE_PERM",
  4: "SQLITE_ABORT",
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  7: "SQLITE_NOMEM",
  8: "SQLITE_READONLY",
  9: "SQLITE_INTERRUPT",
  10: "SQLITE_IOERR",
  11: "SQLITE_CORRUPT",
  12: "SQLITE_NOTFOUND",
  13: "SQLITE_FULL",
  14: "SQLITE_CANTOPEN",
  15: "SQLITE_PROTOCOL",
  16: "SQLITE_EMPTY",
  17: "SQLITE_SCHEMA",
  18: "SQLITE_TOOBIG",
  19: "SQLITE_CONSTRAINT",
  20: "SQLITE_MISMATCH",
  21: "SQLITE_MISUSE",
  22: "SQLITE_NOLFS",
  23: "SQLITE_AUTH",
  24: "SQLITE_FORMAT",
  25: "SQLITE_RANGE",
  26: "SQLITE_NOTADB",
  27: "SQLITE_NOTICE",
  28: "SQLITE_WARNING",
};
