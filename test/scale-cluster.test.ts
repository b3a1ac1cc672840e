// WORKERS=N (src/cluster.ts): the primary keeps N workers serving one port, restarts one that
// dies, fails fast when they cannot start, and stops them all gracefully on SIGTERM.
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { restartDelay, WORKER_ENV, workerDatabaseUrl, workerSlot } from "../src/cluster";
import { tempDir } from "./helpers";
import { childPids, freePort, health, killQuietly, spawnServer, startServer, until } from "./process-helpers";

const dir = tempDir("seatkey-cluster-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (name: string, workers = 2) => ({
  NODE_ENV: "development",
  WORKERS: String(workers),
  DATABASE_URL: `file:${join(dir, `${name}.db`)}`,
  DEV_KEY_FILE: join(dir, `${name}-keys.json`),
});

/**
 * On one keep-alive connection: a first request answered (so a worker is serving this socket),
 * then a login's head and half its body; then `between()`, then the rest of the body. Resolves
 * with the raw answer to the login, which is in flight (its handler awaits the body) meanwhile.
 */
async function requestInTwoHalves(port: number, between: () => Promise<void>): Promise<string> {
  const body = JSON.stringify({ email: "nobody@example.com", password: "not the password at all" });
  let answer = "";
  let closed!: () => void;
  const done = new Promise<void>((resolve) => (closed = resolve));
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data: (_s, data) => void (answer += data.toString()),
      close: () => closed(),
      error: () => closed(),
    },
  });
  socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  await until(() => answer.includes('"database":"ok"}'), 5_000);
  answer = "";
  const head = `POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  socket.write(head + body.slice(0, 10));
  // Give the worker time to read the head and enter the handler before the signal.
  await Bun.sleep(300);
  await between();
  socket.write(body.slice(10));
  await Promise.race([done, Bun.sleep(10_000)]);
  socket.end();
  return answer;
}

describe("cluster primary", () => {
  test("a worker killed with SIGKILL is restarted after a short pause while the other keeps serving; SIGINT stops all", async () => {
    const server = await startServer(env("restart"));
    try {
      const [victim, survivor] = server.workerPids() as [number, number];
      killQuietly(victim);
      await until(() => !childPids(server.proc.pid).includes(victim), 5_000);
      // The port never went dark: the surviving worker answers while the other is down.
      for (let i = 0; i < 5; i++) expect(await health(server.url)).toBe(200);
      await server.waitForOutput(/worker exited; restarting it.*"restartInMs":500/);
      await until(() => server.workerPids().length === 2, 10_000, server.proc, server.output);
      const now = server.workerPids();
      expect(now).toContain(survivor);
      expect(now).not.toContain(victim);
      await until(async () => (await health(server.url)) === 200, 5_000);
      // SIGINT (Ctrl+C) stops the cluster as cleanly as SIGTERM.
      expect(await server.stop("SIGINT")).toBe(0);
      expect(now.some(processAlive)).toBe(false);
    } finally {
      await server.kill9();
    }
  });

  test("SIGTERM lets an in-flight request finish, then every process exits with 0", async () => {
    const server = await startServer(env("graceful"));
    const workers = server.workerPids();
    expect(workers).toHaveLength(2);
    try {
      const answer = await requestInTwoHalves(server.port, async () => {
        server.proc.kill("SIGTERM");
        await Bun.sleep(300);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 401/);
      expect(answer).toContain('"code":"invalid_credentials"');
      expect(await server.proc.exited).toBe(0);
      await until(() => workers.every((pid) => !processAlive(pid)), 5_000);
      expect(await health(server.url)).toBe(0);
    } finally {
      await server.kill9();
    }
  });

  test("workers that cannot serve (port taken) make the primary exit 1 at start, naming the cause", async () => {
    const port = freePort();
    const squatter = Bun.serve({ port, hostname: "127.0.0.1", fetch: () => new Response("squatter") });
    try {
      const server = spawnServer(env("taken"), { port });
      expect(await server.proc.exited).toBe(1);
      expect(server.output()).toMatch(/before serving/);
      expect(server.workerPids()).toHaveLength(0);
    } finally {
      squatter.stop(true);
    }
  });

  test("PORT=0 with WORKERS > 1 is refused with a one-line reason", async () => {
    const server = spawnServer(env("port0"), { port: 0 });
    expect(await server.proc.exited).toBe(1);
    expect(server.output()).toContain("PORT=0");
  });
});

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("cluster helpers", () => {
  test("restarts back off from 500 ms, doubling while a worker keeps dying young, capped at 30 s", () => {
    expect([0, 1, 2, 3].map(restartDelay)).toEqual([500, 1000, 2000, 4000]);
    expect(restartDelay(10)).toBe(30_000);
    expect(restartDelay(1_000)).toBe(30_000);
  });

  test("a worker knows its slot from the environment; anything else is not a worker", () => {
    expect(workerSlot({ [WORKER_ENV]: "2" })).toBe(2);
    for (const value of [undefined, "", "0", "-1", "1.5", "x"])
      expect(workerSlot({ [WORKER_ENV]: value })).toBeUndefined();
  });

  test("embedded replica files are per worker; a plain file or remote database is shared", () => {
    const replica = { databaseUrl: "file:/data/replica.db", databaseSyncUrl: "libsql://db.example.turso.io" };
    expect(workerDatabaseUrl(replica, 1)).toBeUndefined();
    expect(workerDatabaseUrl(replica, 2)).toBe("file:/data/replica.worker2.db");
    expect(workerDatabaseUrl({ ...replica, databaseUrl: "file:data/replica" }, 3)).toBe("file:data/replica.worker3");
    expect(workerDatabaseUrl({ ...replica, databaseUrl: "file:r.db?mode=rwc" }, 2)).toBe("file:r.worker2.db?mode=rwc");
    expect(workerDatabaseUrl({ databaseUrl: "file:/data/seatkey.db", databaseSyncUrl: undefined }, 2)).toBeUndefined();
  });
});
