// One pass: seatkey started with WORKERS=n on the database seeded to one size, every workload
// driven in turn (16 connections, warm-up, measured window), server memory and CPU sampled.
import { join } from "node:path";
import type { Database } from "../../db/client";
import { accountCookie } from "./account-signin";
import { runLoad, type LoadResult, type LoadSpec, type LoadTiming } from "./load";
import type { CeilingName, Row } from "./report";
import { seedAdmin, seedKnownSessions, benchEmail } from "./seed";
import { freePort, sampleServer, serverEnv, startSeatkey, type Child, type ServerUsage } from "./server";
import * as w from "./workloads";

export interface Pass {
  dir: string;
  dbFile: string;
  db: Database;
  size: number;
  users: number;
  workers: number;
  timing: LoadTiming;
  ceilings: Record<CeilingName, number>;
  /** Write a CPU profile (Markdown) of the server into this folder (WORKERS=1 only). */
  cpuProfDir?: string;
  /** Extra Bun flags for seatkey, e.g. --smol (what-if runs). */
  serverFlags?: string[];
  only?: Set<string>;
}

const SESSIONS_PER_CONNECTION = 8;

/** Drives `specs` at once (one window), sampling the server meanwhile. */
async function drive(child: Child, timing: LoadTiming, specs: LoadSpec[]) {
  let sampler: { stop(): ServerUsage } | undefined;
  const results = await Promise.all(
    specs.map((spec, i) => runLoad(spec, timing, i === 0 ? () => (sampler = sampleServer(child.pid)) : undefined)),
  );
  return { results, usage: sampler?.stop() ?? { peakRss: 0, peakAnon: 0, cpu: 0 } };
}

function row(pass: Pass, workload: string, ceiling: CeilingName, load: LoadResult, usage: ServerUsage): Row {
  return {
    workload,
    size: pass.size,
    workers: pass.workers,
    ceiling,
    load,
    peakRssMb: usage.peakRss / 2 ** 20,
    peakAnonMb: usage.peakAnon / 2 ** 20,
    serverCpu: usage.cpu,
    // No ratio when that ceiling was not measured (e.g. --only without hashing).
    ratio: pass.ceilings[ceiling] > 0 ? load.rps / pass.ceilings[ceiling] : undefined,
  };
}

const unavailable = (pass: Pass, workload: string, ceiling: CeilingName, reason: string): Row => ({
  workload,
  size: pass.size,
  workers: pass.workers,
  ceiling,
  unavailable: reason,
});

function chunk(tokens: string[], connections: number): string[][] {
  return Array.from({ length: connections }, (_, i) =>
    tokens.slice(i * SESSIONS_PER_CONNECTION, (i + 1) * SESSIONS_PER_CONNECTION),
  );
}

/** Seeds the pass's own sessions and starts seatkey on the database. */
async function startPass(pass: Pass) {
  const perPool = pass.timing.connections * SESSIONS_PER_CONNECTION;
  const known = await seedKnownSessions(pass.db, 2 * perPool + pass.timing.connections, pass.users);
  const tokens = {
    refresh: chunk(known.slice(0, perPool), pass.timing.connections),
    flood: chunk(known.slice(perPool, 2 * perPool), pass.timing.connections),
    me: known.slice(2 * perPool),
    admin: await seedAdmin(pass.db),
  };
  const port = freePort();
  const env = await serverEnv(pass.dbFile, port, pass.workers);
  const logFile = join(pass.dir, `seatkey-${pass.size}-w${pass.workers}.log`);
  const profile = pass.cpuProfDir && pass.workers === 1 ? pass.cpuProfDir : undefined;
  const flags = [
    ...(pass.serverFlags ?? []),
    ...(profile ? ["--cpu-prof-md", `--cpu-prof-dir=${profile}`, `--cpu-prof-name=seatkey-${pass.size}-w1.md`] : []),
  ];
  return { child: await startSeatkey(env, port, logFile, flags), tokens };
}

export async function runPass(pass: Pass): Promise<Row[]> {
  const { child, tokens } = await startPass(pass);
  const rows: Row[] = [];
  const wanted = (name: string) => !pass.only || pass.only.has(name);
  const measure = async (name: string, ceiling: CeilingName, spec: LoadSpec) => {
    const { results, usage } = await drive(child, pass.timing, [spec]);
    rows.push(row(pass, name, ceiling, results[0] as LoadResult, usage));
  };
  const url = child.url;
  try {
    if (wanted("jwks")) await measure("jwks", "hello", w.jwks(url));
    const accessTokens = () => Promise.all(tokens.me.map((t) => w.accessTokenFor(url, t)));
    if (wanted("me")) await measure("me", "hello", w.me(url, await accessTokens()));
    if (wanted("introspect")) await introspectWorkload(pass, url, await accessTokens(), measure, rows);
    if (wanted("refresh")) await measure("refresh", "db", w.refresh(url, tokens.refresh));
    if (wanted("login")) await measure("login", "argon2", w.login(url, pass.users));
    if (wanted("flood")) {
      const { results, usage } = await drive(child, pass.timing, [
        w.refresh(url, tokens.flood),
        w.login(url, pass.users),
      ]);
      rows.push(row(pass, "refresh during login flood", "db", results[0] as LoadResult, usage));
      rows.push(row(pass, "login flood (alongside)", "argon2", results[1] as LoadResult, usage));
    }
    if (wanted("account")) await accountWorkload(pass, url, measure, rows);
    if (wanted("webhook")) await webhookWorkload(pass, url, tokens.admin, measure, rows);
  } finally {
    await child.stop();
  }
  return rows;
}

type Measure = (name: string, ceiling: CeilingName, spec: LoadSpec) => Promise<void>;

async function webhookWorkload(pass: Pass, url: string, adminToken: string, measure: Measure, rows: Row[]) {
  const token = await w.createWebhookToken(url, adminToken);
  if (!token.ok) return rows.push(unavailable(pass, "webhook grant-license", "db", token.reason));
  await measure("webhook grant-license", "db", w.grantLicense(url, token.value, `${pass.size}-${pass.workers}`));
}

/** Its own admin (another workload's admin token would be rotated under it). */
async function introspectWorkload(pass: Pass, url: string, accessTokens: string[], measure: Measure, rows: Row[]) {
  const client = await w.createIntrospectionClient(url, await seedAdmin(pass.db));
  if (!client.ok) return rows.push(unavailable(pass, "introspect", "hello", client.reason));
  await measure("introspect", "hello", w.introspect(url, client.value, accessTokens));
}

async function accountWorkload(pass: Pass, url: string, measure: Measure, rows: Row[]) {
  const cookies: string[] = [];
  for (let i = 0; i < pass.timing.connections; i++) {
    const user = Math.floor(((i + 0.5) * pass.users) / pass.timing.connections);
    const cookie = await accountCookie(url, benchEmail(user), w.BENCH_PASSWORD);
    if (!cookie.ok) {
      rows.push(unavailable(pass, "account page", "hello", cookie.reason));
      return;
    }
    cookies.push(cookie.value);
  }
  await measure("account page", "hello", w.account(url, cookies));
}
