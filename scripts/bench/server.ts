// Child processes under test: seatkey itself (production mode, temp keys, temp database) and the
// bare Elysia hello ceiling. Each is a real process on 127.0.0.1; its memory is sampled from /proc.
import type { Subprocess } from "bun";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { unlimitedRateLimitEnv } from "../../src/config";
import { encodeJwk, generateKeyMaterial } from "../../src/keys/keys";

const BUN = process.execPath;
const ROOT = join(import.meta.dir, "..", "..");

export interface Child {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function serverEnv(dbFile: string, port: number, workers: number): Promise<Record<string, string>> {
  const { privateJwk, secretKey } = await generateKeyMaterial();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    NODE_ENV: "production",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    ALLOW_INSECURE_HTTP: "true", // plain http on loopback, no TLS proxy in a benchmark
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${dbFile}`,
    JWT_PRIVATE_KEY: encodeJwk(privateJwk),
    SECRET_KEY: secretKey,
    WORKERS: String(workers),
  };
  // Every knob the bench could trip over, raised so it measures work and not 429s (non-2xx are counted).
  Object.assign(env, unlimitedRateLimitEnv());
  return env;
}

/** A free TCP port on 127.0.0.1 (bound once, then released). */
export function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port as number;
  probe.stop(true);
  return port;
}

async function waitUntilUp(url: string, child: Subprocess, logFile: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${url} exited with ${child.exitCode}; see ${logFile}:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await Bun.sleep(50);
  }
  throw new Error(`${url} did not come up in 30 s; see ${logFile}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-15).join("\n");
  } catch {
    return "";
  }
}

/** Spawns `args` under this Bun, output to `logFile`, and waits until `probePath` answers 200. */
export async function startChild(
  args: string[],
  env: Record<string, string>,
  port: number,
  logFile: string,
  probePath: string,
): Promise<Child> {
  const child = Bun.spawn([BUN, ...args], { cwd: ROOT, env, stdout: Bun.file(logFile), stderr: "inherit" });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(url + probePath, child, logFile);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    url,
    pid: child.pid,
    async stop() {
      const tree = processTree(child.pid);
      child.kill("SIGTERM");
      const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(5000).then(() => false)]);
      if (!exited) child.kill("SIGKILL");
      // Workers of a cluster that outlived their primary: only the ones we saw, by pid.
      for (const pid of tree.slice(1)) killQuietly(pid);
    },
  };
}

function killQuietly(pid: number) {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** `bunFlags` go before the entry, e.g. --cpu-prof-md. */
export function startSeatkey(env: Record<string, string>, port: number, logFile: string, bunFlags: string[] = []) {
  return startChild([...bunFlags, "src/index.ts"], env, port, logFile, "/health");
}

export function startHello(port: number, logFile: string): Promise<Child> {
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", NODE_ENV: "production", PORT: String(port) };
  return startChild([join(import.meta.dir, "hello-server.ts")], env, port, logFile, "/");
}

/** `pid` and every descendant (a WORKERS=N cluster), read from /proc. */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = parents.get(ppid) ?? [];
      list.push(Number(entry));
      parents.set(ppid, list);
    } catch {
      // exited while we looked
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i] as number) ?? []));
  return tree;
}

interface ProcSample {
  rss: number;
  /** RssAnon: private memory, without the mapped Bun executable and libraries. */
  anon: number;
  cpuTicks: number;
}

/** Resident set size (bytes) and CPU time used so far (clock ticks) of one process; zeros once gone. */
function readProc(pid: number): ProcSample {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat (11 and 12 after the command).
    return { rss: kb("VmRSS"), anon: kb("RssAnon"), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return { rss: 0, anon: 0, cpuTicks: 0 };
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface ServerUsage {
  /** Peak resident set size of the whole process tree, bytes. */
  peakRss: number;
  /** Peak private (anonymous) memory of the tree, bytes. */
  peakAnon: number;
  /** CPU used by the process tree, in cores (2 = both cores of this machine busy). */
  cpu: number;
}

/** Samples a process tree every 100 ms: peak summed RSS and the CPU it used meanwhile. */
export function sampleServer(pid: number): { stop(): ServerUsage } {
  let tree = processTree(pid);
  let peakRss = 0;
  let peakAnon = 0;
  let ticks = 0;
  const cpuByPid = new Map<number, { first: number; last: number }>();
  const started = performance.now();
  const sample = () => {
    if (++ticks % 20 === 0) tree = processTree(pid); // workers may be restarted
    let rss = 0;
    let anon = 0;
    for (const p of tree) {
      const proc = readProc(p);
      rss += proc.rss;
      anon += proc.anon;
      const seen = cpuByPid.get(p);
      if (!seen) cpuByPid.set(p, { first: proc.cpuTicks, last: proc.cpuTicks });
      else if (proc.cpuTicks > 0) seen.last = proc.cpuTicks;
    }
    peakRss = Math.max(peakRss, rss);
    peakAnon = Math.max(peakAnon, anon);
  };
  sample();
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      let used = 0;
      for (const { first, last } of cpuByPid.values()) used += last - first;
      const seconds = (performance.now() - started) / 1000;
      return { peakRss, peakAnon, cpu: used / TICKS_PER_SECOND / seconds };
    },
  };
}
