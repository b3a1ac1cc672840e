// Seats and scaling (README "Seats", "Running in production") against the real server with WORKERS=2: seats and refresh rotation hold when
// racing requests land on different processes sharing one database file.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { unlimitedRateLimitEnv } from "../src/config";
import { sha256Hex } from "../src/lib/crypto";
import { tempDir } from "./helpers";
import {
  callJson,
  queryScalar,
  type SeededAccount,
  seedAccount,
  type ServerProcess,
  startServer,
  withDatabase,
} from "./process-helpers";

const PASSWORD = "a long enough passphrase for tests";
const dir = tempDir("seatkey-scale-");
const dbUrl = `file:${join(dir, "scale.db")}`;
const keyFile = join(dir, "dev-keys.json");
let server: ServerProcess;
let racer: SeededAccount;
let refresher: SeededAccount;

beforeAll(async () => {
  [racer, refresher] = await withDatabase(dbUrl, async (db) => [
    await seedAccount(db, { email: "racer@example.com", password: PASSWORD, seats: 3 }),
    await seedAccount(db, { email: "refresher@example.com", password: PASSWORD, seats: 1 }),
  ]);
  // No keys configured: the primary must create the development key once, before any worker.
  // The seat race logs one account in 60 times at once from one address: lift the login limits.
  const env = { NODE_ENV: "development", WORKERS: "2", DATABASE_URL: dbUrl, DEV_KEY_FILE: keyFile };
  server = await startServer({ ...env, ...unlimitedRateLimitEnv() });
});

afterAll(async () => {
  await server?.kill9();
  rmSync(dir, { recursive: true, force: true });
});

/** CPU time a process has used, in clock ticks (utime + stime from /proc). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

const login = (account: SeededAccount) =>
  callJson(server.url, "POST", "/api/auth/login", {
    body: { email: account.email, password: account.password },
    headers: { connection: "close" },
  });

describe("WORKERS=2 on one database file", () => {
  test("two worker processes serve one port with the one signing key the primary created", async () => {
    expect(server.workerPids()).toHaveLength(2);
    expect(server.output()).toContain('"worker":1');
    expect(server.output()).toContain('"worker":2');
    expect(existsSync(keyFile)).toBe(true);
    const kids = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const jwks = await callJson(server.url, "GET", "/.well-known/jwks.json", { headers: { connection: "close" } });
      for (const key of (jwks.body?.keys ?? []) as { kid: string }[]) kids.add(key.kid);
    }
    expect(kids.size).toBe(1);
  });

  test("seat race: 60 simultaneous logins on a 3-seat license seat exactly 3, across both workers", async () => {
    const workers = server.workerPids();
    const before = workers.map(cpuTicks);
    const answers = await Promise.all(Array.from({ length: 60 }, () => login(racer)));
    expect(answers.map((a) => a.status)).toEqual(Array(60).fill(200));
    const seated = answers.filter((a) => a.body?.limited === false);
    expect(seated).toHaveLength(3);
    for (const a of answers.filter((a) => a.body?.limited === true)) expect(a.body?.limitedReason).toBe("no_free_seat");
    const inDb = await queryScalar(
      dbUrl,
      "SELECT count(*) FROM sessions WHERE user_id = ? AND kind = 'app' AND limited = 0 AND revoked_at IS NULL",
      [racer.id],
    );
    expect(Number(inDb)).toBe(3);
    expect(Number(await queryScalar(dbUrl, "SELECT count(*) FROM sessions WHERE user_id = ?", [racer.id]))).toBe(60);
    // Both processes verified passwords (Argon2id costs tens of ms of CPU each): the race was real.
    const used = workers.map((pid, i) => cpuTicks(pid) - (before[i] ?? 0));
    for (const ticks of used) expect(ticks).toBeGreaterThan(5);
  });

  test("refresh race: one token sent 20 times at once rotates once; each answer is the successor or a clean 401", async () => {
    const first = await login(refresher);
    expect(first.status).toBe(200);
    const token = first.body?.refreshToken as string;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        callJson(server.url, "POST", "/api/auth/refresh-token", {
          body: { refreshToken: token },
          headers: { connection: "close" },
        }),
      ),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    for (const a of answers.filter((a) => a.status !== 200)) {
      expect(a.status).toBe(401);
      expect(typeof a.body?.code).toBe("string");
    }
    const successors = new Set(ok.map((a) => a.body?.refreshToken as string));
    expect(successors.size).toBe(1);
    const [successor] = [...successors] as [string];
    expect(successor).not.toBe(token);

    // Never forked: one live session, holding exactly the successor.
    const sessionId = first.body?.sessionId as string;
    expect(Number(await queryScalar(dbUrl, "SELECT count(*) FROM sessions WHERE user_id = ?", [refresher.id]))).toBe(1);
    expect(await queryScalar(dbUrl, "SELECT revoked_at FROM sessions WHERE id = ?", [sessionId])).toBeNull();
    const stored = await queryScalar(dbUrl, "SELECT token_hash FROM sessions WHERE id = ?", [sessionId]);
    expect(stored).toBe(sha256Hex(successor.split(".")[1] as string));
    // And the successor carries on.
    const next = await callJson(server.url, "POST", "/api/auth/refresh-token", { body: { refreshToken: successor } });
    expect(next.status).toBe(200);
    expect(next.body?.refreshToken).not.toBe(successor);
  });
});
