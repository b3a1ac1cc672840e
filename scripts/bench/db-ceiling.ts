// The durable-write ceiling: the same @libsql/client, opened by openDatabase (same pool, same
// pragmas: WAL, synchronous=NORMAL, busy timeout, foreign keys), one single-row
// `UPDATE … WHERE id = ?` per call — each its own commit — with 16 calls in flight.
import type { Database } from "../../db/client";

export interface CeilingResult {
  rps: number;
  p50: number;
  p99: number;
}

/** Ids of up to `limit` sessions spread over the table (the rows the ceiling updates). */
export async function sampleSessionIds(db: Database, limit: number): Promise<string[]> {
  const result = await db.client.execute({
    sql: "SELECT id FROM sessions WHERE kind = 'app' ORDER BY random() LIMIT ?",
    args: [limit],
  });
  return result.rows.map((row) => String(row.id));
}

export async function dbCeiling(
  db: Database,
  ids: string[],
  inFlight: number,
  seconds: number,
): Promise<CeilingResult> {
  if (ids.length === 0) throw new Error("no sessions to update");
  const latencies: number[] = [];
  let next = 0;
  const warmupEnd = performance.now() + Math.min(1000, seconds * 200);
  const deadline = warmupEnd + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const id = ids[next++ % ids.length] as string;
      const started = performance.now();
      await db.client.execute({ sql: "UPDATE sessions SET last_used_at = ? WHERE id = ?", args: [Date.now(), id] });
      if (started >= warmupEnd) latencies.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}
