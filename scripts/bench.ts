// bun run bench [--quick] [--sizes=1000,100000,1000000] [--workers=1,2] [--duration=8] [--warmup=2]
//               [--only=hashing,profile,jwks,me,introspect,refresh,login,flood,account,webhook] [--cpu-prof] [--keep]
//               [--out=bench-results] [--peers=<run-peers.sh output>]
//
// Throughput, latency and memory of seatkey against the stack's ceilings, in one run: a bare
// Elysia hello (HTTP ceiling), one-row UPDATEs through the same libSQL client (durable-write
// ceiling), Argon2id verifies; then seatkey in production mode at each size (1k, 100k, 1M seeded
// sessions) with WORKERS=1 and 2. Writes bench-results/<mode>-<date>.{json,md}.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Database } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { createHasher } from "../src/passwords/hasher";
import { dbCeiling, sampleSessionIds } from "./bench/db-ceiling";
import { benchHashing, type HashResult } from "./bench/hashing";
import { runLoad, runThreaded, type LoadResult, type LoadTiming } from "./bench/load";
import { profileRequests } from "./bench/profile";
import { loadAverage, machineLine, markdown, writeReport, type Report } from "./bench/report";
import { runPass } from "./bench/run";
import { readPeers } from "./bench/peers";
import { benchEmail, seedKnownSessions, seedSize } from "./bench/seed";
import { freePort, serverEnv, startHello } from "./bench/server";
import { checkTargets } from "./bench/targets";
import { BENCH_PASSWORD } from "./bench/workloads";

interface Options {
  mode: "quick" | "full";
  sizes: number[];
  workers: number[];
  timing: LoadTiming;
  /** seconds for each micro-measurement (hashing, DB ceiling, in-process profile) */
  micro: number;
  only: Set<string> | undefined;
  cpuProf: boolean;
  serverFlags: string[];
  keep: boolean;
  out: string;
  /** A side-by-side run of the peer benchmark, for the targets against Better Auth. */
  peers: string | undefined;
}

function parseOptions(argv: string[]): Options {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const list = (name: string, fallback: number[]) => value(name)?.split(",").map(Number) ?? fallback;
  const quick = flag("quick");
  const options: Options = {
    mode: quick ? "quick" : "full",
    sizes: list("sizes", quick ? [1000, 10_000] : [1000, 100_000, 1_000_000]),
    workers: list("workers", quick ? [1] : [1, 2]),
    timing: {
      connections: 16,
      warmup: Number(value("warmup") ?? (quick ? 0.5 : 2)),
      duration: Number(value("duration") ?? (quick ? 1 : 8)),
    },
    micro: quick ? 0.3 : 2,
    only: value("only") ? new Set(value("only")?.split(",")) : undefined,
    cpuProf: flag("cpu-prof"),
    serverFlags: value("server-flags")?.split(",") ?? [],
    keep: flag("keep"),
    out: value("out") ?? join(import.meta.dir, "..", "bench-results"),
    peers: value("peers"),
  };
  const bad = [...options.sizes, ...options.workers].some((n) => !Number.isInteger(n) || n < 1);
  if (bad || !(options.timing.duration > 0) || !(options.timing.warmup >= 0)) {
    console.error("usage: bun run bench [--quick] [--sizes=1000,100000] [--workers=1,2] [--duration=8] [--warmup=2]");
    process.exit(2);
  }
  return options;
}

const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

async function measureHello(dir: string, timing: LoadTiming) {
  const port = freePort();
  const hello = await startHello(port, join(dir, "hello.log"));
  try {
    const single = await runLoad({ url: hello.url, path: "/" }, timing);
    const threaded = await runThreaded(`${hello.url}/`, timing, 2);
    return { single, threaded };
  } finally {
    await hello.stop();
  }
}

interface Run {
  options: Options;
  dir: string;
  dbFile: string;
  db: Database;
  passwordHash: string;
  report: Report;
  wanted: (phase: string) => boolean;
}

/** One size: grow the database, measure the DB ceiling and the in-process profile, then each WORKERS. */
async function runSize(run: Run, size: number) {
  const { options, db, dbFile, report } = run;
  const seeded = performance.now();
  const { users } = await seedSize(db, size, run.passwordHash);
  log(`seeded ${size} sessions / ${users} users in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
  const ceiling = await dbCeiling(db, await sampleSessionIds(db, 2000), 16, options.micro * 1.5);
  report.dbCeiling[size] = ceiling;
  if (run.wanted("profile")) {
    const [a = "", b = ""] = await seedKnownSessions(db, 2, users);
    const creds = { email: benchEmail(0), password: BENCH_PASSWORD };
    const env = await serverEnv(dbFile, 0, 1);
    report.profiles[size] = await profileRequests(env, dbFile, [a, b], creds, options.micro);
  }
  const inProcess = report.profiles[size]?.refresh.service.toFixed(0) ?? "–";
  log(`DB ceiling ${ceiling.rps.toFixed(0)}/s; refresh in-process ${inProcess} µs`);
  const ceilings = { hello: report.hello.rps, db: ceiling.rps, argon2: report.hashing.at(-1)?.twoInFlight ?? 0 };
  const cpuProfDir = options.cpuProf ? join(options.out, "profiles") : undefined;
  for (const workers of options.workers) {
    const timing = options.timing;
    const rows = await runPass({
      dir: run.dir,
      dbFile,
      db,
      size,
      users,
      workers,
      timing,
      ceilings,
      cpuProfDir,
      only: options.only,
      serverFlags: options.serverFlags,
    });
    report.rows.push(...rows);
    const summary = rows.map((r) => `${r.workload} ${r.load ? r.load.rps.toFixed(0) : "–"}`).join(", ");
    log(`${size} sessions, WORKERS=${workers}: ${summary}`);
  }
}

function emptyReport(options: Options, hello: { single: LoadResult; threaded: number }, hashing: HashResult[]): Report {
  return {
    date: new Date().toISOString(),
    machine: machineLine(),
    mode: options.mode,
    connections: options.timing.connections,
    seconds: { warmup: options.timing.warmup, duration: options.timing.duration },
    hello: hello.single,
    helloThreaded: hello.threaded,
    dbCeiling: {},
    hashing,
    profiles: {},
    rows: [],
    checks: [],
    totalSeconds: 0,
    loadAverage: { before: loadAverage(), after: 0 },
  };
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const peers = options.peers ? readPeers(options.peers) : undefined; // read first: fail before the run
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "seatkey-bench-"));
  log(`${options.mode} run in ${dir}`);
  const wanted = (phase: string) => !options.only || options.only.has(phase);
  const hashing = wanted("hashing") ? await benchHashing(options.micro * 1.5) : [];
  log(`hashing: ${hashing.map((h) => `${h.name} ${h.perCore.toFixed(0)}/s per core`).join("; ")}`);
  const hello = await measureHello(dir, options.timing);
  log(`hello: ${hello.single.rps.toFixed(0)} req/s (2 generator threads: ${hello.threaded.toFixed(0)})`);
  const report = emptyReport(options, hello, hashing);

  const dbFile = join(dir, "bench.db");
  const db = await openDatabase({ url: `file:${dbFile}` });
  try {
    await migrateDatabase(db);
    const passwordHash = await createHasher().hash(BENCH_PASSWORD);
    const run: Run = { options, dir, dbFile, db, passwordHash, report, wanted };
    for (const size of options.sizes) await runSize(run, size);
  } finally {
    db.close();
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
  report.totalSeconds = (performance.now() - started) / 1000;
  report.loadAverage.after = loadAverage();
  report.checks = checkTargets(report, peers);
  const written = writeReport(options.out, report);
  console.log(markdown(report));
  log(`wrote ${written.md} and ${written.json}`);
}

await main();
