// The side-by-side run of ../shared/bench-peers style: `run-peers.sh` prints one JSON line per
// workload (hello, ba-get-session, ba-sign-in, sk-me, sk-refresh, sk-jwks, sk-login, …) measured
// in one run on one machine. `bun run bench --peers=<that output>` checks the ratios against
// Better Auth from it: ratios only mean something inside one run.
import { readFileSync } from "node:fs";

export interface PeerRow {
  workload: string;
  rps: number;
  p99_ms: number;
  non2xx: number;
}

export interface PeerRun {
  file: string;
  rows: Record<string, PeerRow>;
}

export function readPeers(file: string): PeerRun {
  const rows: Record<string, PeerRow> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    const row = JSON.parse(line) as Partial<PeerRow>;
    if (typeof row.workload === "string" && typeof row.rps === "number") rows[row.workload] = row as PeerRow;
  }
  return { file, rows };
}
