// Opening the database: a libSQL client (local file, embedded replica or remote server) wrapped
// by drizzle, with the pragmas applied on every pooled connection and one way to write.
import { createClient, type Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema";

export type Orm = LibSQLDatabase<typeof schema>;
/** A drizzle transaction handle (what `write` passes to its callback). */
export type Tx = Parameters<Parameters<Orm["transaction"]>[0]>[0];

export interface Database {
  orm: Orm;
  client: Client;
  /** True for a local file (or embedded replica): writers in this process must take turns. */
  local: boolean;
  /**
   * Run `fn` in one short write transaction (BEGIN IMMEDIATE), retried on SQLITE_BUSY.
   * Every write goes through here. Never hash, mail or call the network inside `fn`.
   */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): void;
}

export interface DatabaseOptions {
  url: string;
  authToken?: string | undefined;
  syncUrl?: string | undefined;
  /** SQLite busy timeout, ms. */
  busyTimeout?: number;
}

// Pooled connections for a local file. Each one gets the pragmas below when the pool is opened.
const LOCAL_CONNECTIONS = 4;
const LOCAL_PRAGMAS = ["PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL"];

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const local = options.url.startsWith("file:");
  const busyTimeout = options.busyTimeout ?? 5000;
  const client = createClient({
    url: options.url,
    authToken: options.authToken,
    syncUrl: options.syncUrl,
    concurrency: local ? LOCAL_CONNECTIONS : 20,
    timeout: busyTimeout,
  });
  if (local) await prepareLocalConnections(client, options.syncUrl ? 1 : LOCAL_CONNECTIONS, busyTimeout);
  if (options.syncUrl) await client.sync();

  const orm = drizzle(client, { schema });
  const lock = new WriteLock();

  const write = async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      // Inside one process a local file's write lock is taken by a synchronous native call that
      // would block the event loop while another connection of ours holds it (busy wait on
      // ourselves). Taking turns in-process first avoids that; other processes are handled by
      // SQLite's busy timeout and the retry below.
      const release = local ? await lock.acquire() : undefined;
      try {
        return await orm.transaction(fn);
      } catch (error) {
        if (!isBusy(error) || attempt >= 5) throw error;
      } finally {
        release?.();
      }
      await Bun.sleep(10 * 2 ** attempt + Math.random() * 10);
    }
  };

  return { orm, client, local, write, close: () => client.close() };
}

/**
 * The client opens pooled connections lazily and has no per-connection hook, so open every one
 * now (concurrent calls each borrow a distinct connection) and set its pragmas.
 */
async function prepareLocalConnections(client: Client, connections: number, busyTimeout: number) {
  // journal_mode is stored in the file: once is enough.
  await client.execute("PRAGMA journal_mode = WAL");
  for (const pragma of [`PRAGMA busy_timeout = ${busyTimeout}`, ...LOCAL_PRAGMAS]) {
    await Promise.all(Array.from({ length: connections }, () => client.execute(pragma)));
  }
}

export function isBusy(error: unknown): boolean {
  if (!error || typeof error !== "object") return false;
  const text = String((error as { code?: string })?.code ?? "") + String((error as Error)?.message ?? "");
  return /SQLITE_BUSY|database is locked/i.test(text) || isBusy((error as { cause?: unknown }).cause);
}

/** A FIFO async mutex. */
class WriteLock {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}
