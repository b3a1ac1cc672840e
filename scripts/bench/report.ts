// Results: one row per workload × size × WORKERS, the ceilings, the target checks; written as
// JSON and as the Markdown table the README quotes.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import type { CeilingResult } from "./db-ceiling";
import type { HashResult } from "./hashing";
import type { LoadResult } from "./load";
import type { ProfileResult } from "./profile";

export type CeilingName = "hello" | "db" | "argon2";

export interface Row {
  workload: string;
  size: number;
  workers: number;
  ceiling: CeilingName;
  /** Result, or why the workload did not run. */
  load?: LoadResult;
  unavailable?: string;
  peakRssMb?: number;
  /** Of it, private (anonymous) memory: without the mapped Bun executable (~50 MB, shared). */
  peakAnonMb?: number;
  /** CPU the server's processes used during the window, in cores. */
  serverCpu?: number;
  ratio?: number;
}

export interface Check {
  target: string;
  result: string;
  pass: boolean | undefined;
}

export interface Report {
  date: string;
  machine: string;
  mode: "quick" | "full";
  connections: number;
  seconds: { warmup: number; duration: number };
  hello: LoadResult;
  helloThreaded: number;
  dbCeiling: Record<number, CeilingResult>;
  hashing: HashResult[];
  profiles: Record<number, ProfileResult>;
  rows: Row[];
  checks: Check[];
  totalSeconds: number;
  /** 1-minute load average before and after the run: other work on the machine skews everything. */
  loadAverage: { before: number; after: number };
}

export const loadAverage = () => loadavg()[0] ?? 0;

export function machineLine(): string {
  const cpu = cpus();
  const gb = Math.round(totalmem() / 2 ** 30);
  return `${cpu[0]?.model.trim() ?? "unknown CPU"} × ${cpu.length} cores, ${gb} GB RAM, Linux ${release()}, Bun ${Bun.version}`;
}

const fixed = (n: number | undefined, digits = 0) => (n === undefined ? "–" : n.toFixed(digits));
export const sizeLabel = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
const CEILING_LABEL: Record<CeilingName, string> = { hello: "hello", db: "DB ceiling", argon2: "Argon2id ×2" };

function tableRow(row: Row): string {
  const head = `| ${row.workload} | ${sizeLabel(row.size)} | ${row.workers} |`;
  if (!row.load) return `${head} ${row.unavailable ?? "not run"} | | | | | | | |`;
  const l = row.load;
  const ratio =
    row.ratio === undefined
      ? "–"
      : `${(row.ratio * 100).toFixed(row.ratio < 0.1 ? 1 : 0)} % of ${CEILING_LABEL[row.ceiling]}`;
  const cpu = `${fixed(row.serverCpu, 2)} / ${fixed(l.generatorCpu, 2)}`;
  return `${head} ${fixed(l.rps)} | ${fixed(l.p50, 2)} | ${fixed(l.p99, 2)} | ${l.non2xx + l.errors} | ${fixed(row.peakRssMb)} (${fixed(row.peakAnonMb)}) | ${cpu} | ${ratio} |`;
}

export function markdown(report: Report): string {
  const lines = [
    `Machine: ${report.machine}. Date: ${report.date}. Mode: ${report.mode}; ${report.connections} connections, ` +
      `${report.seconds.warmup} s warm-up + ${report.seconds.duration} s measured per workload; took ${Math.round(report.totalSeconds)} s. ` +
      `Load average ${report.loadAverage.before.toFixed(2)} before, ${report.loadAverage.after.toFixed(2)} after.`,
    ...(Math.max(report.loadAverage.before, report.loadAverage.after) > 1
      ? ["", "**Other work was running on this machine during the run: treat the figures as a lower bound.**"]
      : []),
    "",
    "| workload | sessions | WORKERS | req/s | p50 ms | p99 ms | non-2xx | peak RSS MB (private) | CPU server / generator (cores) | vs ceiling |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    `| hello (HTTP ceiling) | – | – | ${fixed(report.hello.rps)} | ${fixed(report.hello.p50, 2)} | ${fixed(report.hello.p99, 2)} | ${report.hello.non2xx} | | – / ${fixed(report.hello.generatorCpu, 2)} | 2 generator threads: ${fixed(report.helloThreaded)} req/s |`,
    ...Object.entries(report.dbCeiling).map(
      ([size, c]) =>
        `| DB ceiling (1-row UPDATE, 16 in flight) | ${sizeLabel(Number(size))} | – | ${fixed(c.rps)} | ${fixed(c.p50, 2)} | ${fixed(c.p99, 2)} | 0 | | | |`,
    ),
    ...report.rows.map(tableRow),
    "",
    "| target | result | |",
    "| --- | --- | --- |",
    ...report.checks.map(
      (c) => `| ${c.target} | ${c.result} | ${c.pass === undefined ? "n/a" : c.pass ? "✅" : "❌"} |`,
    ),
    "",
    "Argon2id verify at 19 MiB / 2 iterations / p=1 (verifies/s):",
    "",
    "| implementation | 1 in flight (per core) | 2 in flight |",
    "| --- | ---: | ---: |",
    ...report.hashing.map((h) => `| ${h.name} | ${fixed(h.perCore, 1)} | ${fixed(h.twoInFlight, 1)} |`),
    "",
    ...profileLines(report.profiles),
  ];
  return `${lines.join("\n")}\n`;
}

function profileLines(profiles: Record<number, ProfileResult>): string[] {
  const lines = [
    "In-process cost per request, no HTTP (µs): service call, its statements through @libsql/client, the same through bun:sqlite:",
    "",
    "| sessions | request | service | driver calls | @libsql/client | bun:sqlite | driver overhead | JWT sign |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const [size, p] of Object.entries(profiles)) {
    for (const [name, r] of [
      ["refresh", p.refresh],
      ["me", p.me],
    ] as const) {
      const overhead = r.driver.libsql - r.driver.bunSqlite;
      lines.push(
        `| ${sizeLabel(Number(size))} | ${name} | ${fixed(r.service)} | ${r.driver.calls} | ${fixed(r.driver.libsql)} | ` +
          `${fixed(r.driver.bunSqlite)} | ${fixed(overhead)} (${fixed((overhead / r.service) * 100)} %) | ${name === "refresh" ? fixed(p.jwtSign) : "–"} |`,
      );
    }
  }
  return lines;
}

export function writeReport(dir: string, report: Report): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const stamp = `${report.mode}-${report.date.replace(/[:.]/g, "-")}`;
  const json = join(dir, `${stamp}.json`);
  const md = join(dir, `${stamp}.md`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(md, markdown(report));
  writeFileSync(join(dir, `latest-${report.mode}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, `latest-${report.mode}.md`), markdown(report));
  return { json, md };
}
