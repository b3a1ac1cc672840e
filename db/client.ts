// Opening the database: a libSQL client (local file, embedded replica or remote server) wrapped
// by drizzle, with the pragmas applied on every pooled connection and one way to write.
// Local files (and a replica's local reads) go through ./local-client.ts, which prepares each
// statement once; remote servers through @libsql/client. Drizzle sees the same `Client` either way.
import { createClient, type Client, type TransactionMode } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import { type Checkpointer, FALLBACK_AUTOCHECKPOINT_PAGES, startCheckpointer } from "./checkpointer";
import { createLocalClient } from "./local-client";
import * as schema from "./schema";

export type Orm = LibSQLDatabase<typeof schema>;
/** A drizzle transaction handle (what `write` passes to its callback). */
export type Tx = Parameters<Parameters<Orm["transaction"]>[0]>[0];

export interface Database {
  orm: Orm;
  client: Client;
  /**
   * True for a plain local file: writers in this process must take turns. False for a remote
   * server and for an embedded replica (whose write transactions run on the remote primary).
   */
  local: boolean;
  /**
   * Run `fn` in one short write transaction (BEGIN IMMEDIATE), retried on SQLITE_BUSY.
   * Every write goes through here. Never hash, mail or call the network inside `fn`.
   */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Run `then` once the write transaction `tx` has committed (never if it rolls back). */
  afterCommit(tx: Tx, then: () => void): void;
  close(): void;
}

export interface DatabaseOptions {
  url: string;
  authToken?: string | undefined;
  syncUrl?: string | undefined;
  /** SQLite busy timeout, ms. */
  busyTimeout?: number;
  /** Embedded replica: seconds between background pulls from the primary. */
  syncInterval?: number;
  /** WORKERS=N on a local file: the turn to write, shared with the other processes (src/write-turns.ts). */
  turn?: ClusterTurn | undefined;
  /** A serving process on a local file: WAL checkpoints on a thread of their own (db/checkpointer.ts). */
  backgroundCheckpoints?: boolean;
}

/** The right to write, taken in turns by the processes sharing one local file. */
export interface ClusterTurn {
  /** Resolves once this process may write (at once when it holds the turn already). */
  enter(): Promise<void>;
  /** One write is done; keep the turn for the next if `moreQueued` (and it is still fair to). */
  leave(moreQueued: boolean): void;
}

// Pooled connections for a local file, opened as needed (one serves every call outside a
// transaction; a transaction holds one of its own). Each gets the pragmas below when it opens.
const LOCAL_CONNECTIONS = 4;
const LOCAL_PRAGMAS = ["PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL"];
// How stale an embedded replica may get on changes made elsewhere (its own writes are pulled at once).
const DEFAULT_SYNC_INTERVAL = 5;
const MAX_BUSY_RETRIES = 5;

interface Opened {
  client: Client;
  local: boolean;
  /** Runs after each committed write (an embedded replica pulls it, to read its own writes). */
  afterWrite?: () => Promise<void>;
  checkpointer?: Checkpointer;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const busyTimeout = options.busyTimeout ?? 5000;
  const opened = options.syncUrl
    ? await openReplica({ ...options, syncUrl: options.syncUrl })
    : options.url.startsWith("file:")
      ? await openLocalFile(options.url, busyTimeout, options.backgroundCheckpoints ?? false)
      : { client: createClient({ url: options.url, authToken: options.authToken }), local: false };
  const { client, local, afterWrite, checkpointer } = opened;
  const orm = drizzle(client, { schema });
  const lock = new WriteLock();

  // Inside one process a local file's write lock is taken by a synchronous native call that would
  // block the event loop while another connection of ours holds it (busy wait on ourselves).
  // Taking turns in-process first avoids that; then, in a cluster, the turn shared with the other
  // processes (options.turn); writers outside it are handled by SQLite's busy timeout and the
  // retry. A remote server takes concurrent transactions on separate streams and does its own
  // locking: no turns there.
  const turn = local ? options.turn : undefined;
  const inTurn = async <T>(run: () => Promise<T>): Promise<T> => {
    if (!local) return run();
    const release = await lock.acquire();
    try {
      await turn?.enter();
      try {
        return await run();
      } finally {
        turn?.leave(lock.pending > 1);
      }
    } finally {
      release();
    }
  };

  const committed = new WeakMap<Tx, (() => void)[]>();
  const afterCommit = (tx: Tx, then: () => void) => {
    const list = committed.get(tx);
    if (list) list.push(then);
    else committed.set(tx, [then]);
  };

  const write = async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    let hooks: (() => void)[] | undefined;
    const result = await retryWhileBusy(() =>
      inTurn(() =>
        orm.transaction(async (tx) => {
          const value = await fn(tx);
          hooks = committed.get(tx); // this attempt's: an attempt that failed never gets here
          return value;
        }),
      ),
    );
    await afterWrite?.();
    for (const hook of hooks ?? []) hook();
    return result;
  };

  const close = () => {
    checkpointer?.stop();
    client.close();
  };
  return { orm, client, local, write, afterCommit, close };
}

async function openLocalFile(url: string, busyTimeout: number, backgroundCheckpoints: boolean): Promise<Opened> {
  const autocheckpoint = backgroundCheckpoints ? [`PRAGMA wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`] : [];
  const client = createLocalClient({
    url,
    connections: LOCAL_CONNECTIONS,
    timeout: busyTimeout,
    pragmas: [`PRAGMA busy_timeout = ${busyTimeout}`, ...LOCAL_PRAGMAS, ...autocheckpoint],
  });
  // journal_mode is stored in the file: once is enough.
  await client.execute("PRAGMA journal_mode = WAL");
  return { client, local: true, checkpointer: backgroundCheckpoints ? startCheckpointer(url) : undefined };
}

/**
 * An embedded replica: a local file kept in sync with a remote primary. Reads are local. Writes
 * go to the primary on a client of their own, because the replica has a single connection: a
 * write transaction holding it would make every concurrent read fail with TRANSACTION_ACTIVE.
 * The replica pulls at open, every `syncInterval` seconds (in the background), and
 * after each of our writes so this process reads what it just wrote. Foreign keys are enforced
 * by libSQL server (sqld / Turso) on every connection by default.
 */
async function openReplica(options: DatabaseOptions & { syncUrl: string }): Promise<Opened> {
  const replica = createLocalClient({
    url: options.url,
    connections: 1,
    timeout: options.busyTimeout ?? 5000,
    replica: {
      syncUrl: options.syncUrl,
      authToken: options.authToken,
      syncInterval: options.syncInterval ?? DEFAULT_SYNC_INTERVAL,
    },
  });
  // Fails here, with the reason, when the primary cannot be reached at start.
  await replica.sync();
  const primary = createClient({ url: options.syncUrl, authToken: options.authToken });
  const pull = async () => {
    // The write has committed on the primary; a failed pull only delays reading it here until
    // the next periodic sync, so it must not turn the write into an error.
    await replica.sync().catch(() => undefined);
  };
  return { client: routeWrites(replica, primary, pull), local: false, afterWrite: pull };
}

/**
 * A client that reads from `reader` and sends transactions, batches and migrations to `writer`,
 * pulling after the ones that may write. Everything else (execute, sync, protocol…) is `reader`'s.
 */
export function routeWrites(reader: Client, writer: Client, pull: () => Promise<void>): Client {
  const thenPull = async <T>(result: Promise<T>): Promise<T> => {
    const value = await result;
    await pull();
    return value;
  };
  const routed: Partial<Client> = {
    transaction: (mode?: TransactionMode) => writer.transaction(mode),
    batch: (stmts, mode) => thenPull(writer.batch(stmts, mode)),
    migrate: (stmts) => thenPull(writer.migrate(stmts)),
    executeMultiple: (sql) => thenPull(writer.executeMultiple(sql)),
    close: () => {
      reader.close();
      writer.close();
    },
  };
  return new Proxy(reader, {
    get(target, prop, _receiver) {
      if (Object.hasOwn(routed, prop)) return routed[prop as keyof Client];
      // Bound to the real client: its methods use private fields.
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Runs `attempt` again (after a short, growing, jittered pause) while it fails with SQLITE_BUSY. */
async function retryWhileBusy<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isBusy(error) || n >= MAX_BUSY_RETRIES) throw error;
    }
    await Bun.sleep(10 * 2 ** n + Math.random() * 10);
  }
}

function isBusy(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const text = String((error as { code?: string })?.code ?? "") + String((error as Error)?.message ?? "");
  return /SQLITE_BUSY|database is locked/i.test(text) || isBusy((error as { cause?: unknown }).cause);
}

/** A FIFO async mutex. */
class WriteLock {
  private tail: Promise<void> = Promise.resolve();
  /** Writers holding or waiting for the lock. */
  pending = 0;

  acquire(): Promise<() => void> {
    this.pending++;
    let release!: () => void;
    const next = new Promise<void>(
      (resolve) =>
        (release = () => {
          this.pending--;
          resolve();
        }),
    );
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}
