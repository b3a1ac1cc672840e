// WAL checkpoints off the event loop, for serving processes on a local file.
//
// By default SQLite checkpoints inside the COMMIT that takes the write-ahead log past 1000 pages:
// that commit copies the pages back into the database file and fsyncs, on the thread that serves
// requests — every few hundred refreshes one of them (and every request queued behind it) waited
// milliseconds. Measured on refresh under load: p99 23–27 ms with it, 12–15 ms without, and more
// requests per second. Here a worker thread runs a PASSIVE checkpoint on its own connection every
// 250 ms (PASSIVE never waits for readers or writers: it copies what it can), and the serving
// connections only checkpoint themselves past 10 000 pages — the fallback should the thread stop.
import { filePath } from "./local-client";

const CHECKPOINT_INTERVAL_MS = 250;
/** `PRAGMA wal_autocheckpoint` of serving connections while the thread runs. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

export interface Checkpointer {
  stop(): void;
}

export function startCheckpointer(url: string): Checkpointer {
  const worker = new Worker(new URL("./checkpoint-worker.ts", import.meta.url).href);
  worker.postMessage({ path: filePath(url), intervalMs: CHECKPOINT_INTERVAL_MS });
  (worker as unknown as { unref(): void }).unref(); // never what keeps a process alive (Bun)
  return { stop: () => worker.terminate() };
}
