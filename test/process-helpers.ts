// The real server as a child process: `bun src/index.ts` on a free 127.0.0.1 port, waited for on
// /health, stopped (or killed) by the test that started it. Plus seeding its database file
// before it starts, through the same database layer and services the server uses.
import type { Subprocess } from "bun";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Database, openDatabase } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { users, webhookTokens, type Role } from "../db/schema";
import { createLicenseIn } from "../src/licenses/service";
import { systemClock } from "../src/lib/clock";
import { newId, randomToken, sha256Hex } from "../src/lib/crypto";
import { createHasher } from "../src/passwords/hasher";
import { insertUser } from "../src/users/service";
import { eq } from "drizzle-orm";

const ROOT = join(import.meta.dir, "..");
const KEEP_OUTPUT = 256 * 1024;
const started = new Set<Subprocess>();

// A test runner that dies must not leave servers behind (workers follow their primary).
process.on("exit", () => {
  for (const proc of started) proc.kill("SIGKILL");
});

export function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = server.port as number;
  server.stop(true);
  return port;
}

export interface ServerProcess {
  port: number;
  url: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** What it printed so far (stdout and stderr interleaved, the last 256 KiB). */
  output(): string;
  /** Resolves when the output matches `pattern`; rejects after `ms` (or when the process exits). */
  waitForOutput(pattern: RegExp, ms?: number): Promise<void>;
  /** Process ids of its children: the workers of a WORKERS > 1 primary. */
  workerPids(): number[];
  /** SIGTERM (or SIGINT) and wait: the exit code. */
  stop(signal?: "SIGTERM" | "SIGINT"): Promise<number>;
  /** SIGKILL it and its workers at once, the way a crash or an OOM killer would. */
  kill9(): Promise<void>;
}

export interface StartOptions {
  /** Listen here instead of on a fresh free port. */
  port?: number;
  /** Wait this long for /health (and, with WORKERS > 1, for every worker). */
  timeoutMs?: number;
}

/** Starts `bun src/index.ts` with `env` (plus PORT and HOST) and waits until it serves. */
export async function startServer(env: Record<string, string>, options: StartOptions = {}): Promise<ServerProcess> {
  const server = spawnServer(env, options);
  const timeoutMs = options.timeoutMs ?? 20_000;
  try {
    const healthy = async () => (await health(server.url)) === 200;
    await until(healthy, timeoutMs, server.proc, () => `not healthy:\n${server.output()}`);
    if (Number(env.WORKERS ?? 1) > 1) await server.waitForOutput(/seatkey cluster serving/, timeoutMs);
  } catch (error) {
    await server.kill9();
    throw error;
  }
  return server;
}

/** Starts `bun src/index.ts` with `env` (plus PORT and HOST) without waiting for it. */
export function spawnServer(env: Record<string, string>, options: StartOptions = {}): ServerProcess {
  const port = options.port ?? freePort();
  const proc = Bun.spawn([process.execPath, "src/index.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  started.add(proc);
  void proc.exited.then(() => started.delete(proc));
  let text = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      text = (text + decoder.decode(chunk.value, { stream: true })).slice(-KEEP_OUTPUT);
    }
  };
  void drain(proc.stdout);
  void drain(proc.stderr);

  return {
    port,
    url: `http://127.0.0.1:${port}`,
    proc,
    output: () => text,
    waitForOutput: (pattern, ms = 15_000) =>
      until(
        () => pattern.test(text),
        ms,
        proc,
        () => `no ${pattern} in output:\n${text}`,
      ),
    workerPids: () => childPids(proc.pid),
    async stop(signal = "SIGTERM") {
      proc.kill(signal);
      return proc.exited;
    },
    async kill9() {
      const children = childPids(proc.pid);
      proc.kill("SIGKILL");
      for (const pid of children) killQuietly(pid);
      await proc.exited;
    },
  };
}

/** A JSON request to a server: status and parsed body (undefined when it is not JSON). */
export async function callJson(
  url: string,
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown> | undefined }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(init.body === undefined ? {} : { "content-type": "application/json" }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: res.status, body: undefined };
  }
}

/** GET /health: its status, or 0 when nothing answers. */
export async function health(url: string): Promise<number> {
  try {
    const res = await fetch(`${url}/health`);
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Polls `check` every 50 ms until it holds; fails after `ms` or as soon as `proc` has exited. */
export async function until(
  check: () => boolean | Promise<boolean>,
  ms: number,
  proc?: Subprocess,
  describe: () => string = () => "condition not met",
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (proc?.exitCode !== null && proc?.exitCode !== undefined) {
      throw new Error(`server exited (${proc.exitCode}): ${describe()}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${describe()}`);
    await Bun.sleep(50);
  }
}

/** Linux: the children of `pid`, from /proc. */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

export function killQuietly(pid: number, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Opens a database file with the server's own layer and migrations, runs `fn`, closes it. */
export async function withDatabase<T>(url: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({ url });
  try {
    await migrateDatabase(db);
    return await fn(db);
  } finally {
    db.close();
  }
}

export interface SeededAccount {
  id: string;
  email: string;
  password: string;
}

/**
 * A user with a password and one license, written through the users and licenses services.
 * The hash uses the server's own (OWASP) parameters, so its logins neither fail nor rehash.
 */
export async function seedAccount(
  db: Database,
  input: { email: string; password: string; role?: Role; seats?: number; productId?: string },
): Promise<SeededAccount> {
  const passwordHash = await createHasher().hash(input.password);
  const deps = { clock: systemClock };
  const user = await db.write(async (tx) => {
    const created = await insertUser(tx, deps, { email: input.email, name: "Seeded User", role: input.role });
    await tx.update(users).set({ passwordHash }).where(eq(users.id, created.id));
    if (input.seats !== undefined) {
      const validUntil = systemClock.now() + 365 * 86_400_000;
      await createLicenseIn(
        tx,
        deps,
        {
          userId: created.id,
          productId: input.productId ?? "app",
          seats: input.seats,
          validUntil,
        },
        { actor: "operator" },
      );
    }
    return created;
  });
  return { id: user.id, email: user.email, password: input.password };
}

/** A live webhook token created by `createdBy`, stored as its SHA-256 only. Returns the raw token. */
export async function seedWebhookToken(db: Database, createdBy: string): Promise<string> {
  const token = randomToken();
  await db.write((tx) =>
    tx.insert(webhookTokens).values({
      id: newId(),
      createdBy,
      name: "seeded store",
      tokenHash: sha256Hex(token),
      createdAt: systemClock.now(),
    }),
  );
  return token;
}

/** One scalar from a query on a database file (opened and closed around it). */
export async function queryScalar(url: string, sql: string, args: (string | number)[] = []): Promise<unknown> {
  return withDatabase(url, async (db) => (await db.client.execute({ sql, args })).rows[0]?.[0]);
}
