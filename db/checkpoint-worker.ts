// The thread db/checkpointer.ts starts: a PASSIVE WAL checkpoint on its own connection, every
// `intervalMs`. A checkpoint that finds another one running (SQLITE_BUSY) is simply skipped.
import Database from "libsql";

declare const self: Worker;

self.onmessage = (event: MessageEvent<{ path: string; intervalMs: number }>) => {
  const { path, intervalMs } = event.data;
  const db = new Database(path);
  const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
  setInterval(() => {
    try {
      checkpoint.all([]);
    } catch {
      // busy (another checkpoint) or the file went away: the next tick tries again
    }
  }, intervalMs);
};
