// Reliability (README "Running in production"): a server killed with SIGKILL in the middle of a burst of writes loses
// none that it had answered 200, and its database file comes back intact.
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./helpers";
import {
  callJson,
  seedAccount,
  seedWebhookToken,
  type ServerProcess,
  startServer,
  until,
  withDatabase,
} from "./process-helpers";

const dir = tempDir("seatkey-crash-");
const dbUrl = `file:${join(dir, "crash.db")}`;
const env = {
  NODE_ENV: "development",
  DATABASE_URL: dbUrl,
  DEV_KEY_FILE: join(dir, "dev-keys.json"),
  RATE_LIMIT_WEBHOOK_MAX: "100000",
};
const servers: ServerProcess[] = [];
afterAll(async () => {
  for (const server of servers) await server.kill9();
  rmSync(dir, { recursive: true, force: true });
});

interface Burst {
  acknowledged: string[];
  /** Requests that got no answer: the connection died with the server. */
  cut: number;
  /** Answers other than 200 (there should be none). */
  unexpected: string[];
}

/** `senders` loops posting create-user webhooks until `stopped()` or their connection dies. */
function burst(url: string, token: string, senders: number, stopped: () => boolean): [Burst, Promise<void>] {
  const result: Burst = { acknowledged: [], cut: 0, unexpected: [] };
  const sender = async (n: number) => {
    for (let i = 0; i < 2_000 && !stopped(); i++) {
      const email = `crash-${n}-${i}@example.com`;
      try {
        const res = await callJson(url, "POST", "/api/webhooks", {
          body: { action: "create-user", email, name: `Crash ${n} ${i}` },
          headers: { authorization: `Bearer ${token}` },
        });
        if (res.status === 200) result.acknowledged.push(email);
        else result.unexpected.push(`${res.status} ${JSON.stringify(res.body)}`);
      } catch {
        result.cut++;
        return;
      }
    }
  };
  return [result, Promise.all(Array.from({ length: senders }, (_, n) => sender(n))).then(() => undefined)];
}

describe("crash safety", () => {
  test("kill -9 during a burst of webhook writes: every write answered 200 survives; integrity_check is ok", async () => {
    const token = await withDatabase(dbUrl, async (db) => {
      const admin = await seedAccount(db, {
        email: "admin@example.com",
        password: "unused but long enough",
        role: "ADMIN",
      });
      return seedWebhookToken(db, admin.id);
    });
    const first = await startServer(env);
    servers.push(first);
    let killed = false;
    const [result, done] = burst(first.url, token, 8, () => killed);
    await until(
      () => result.acknowledged.length >= 60,
      20_000,
      first.proc,
      () => JSON.stringify(result),
    );
    await first.kill9();
    killed = true;
    await done;
    expect(result.unexpected).toEqual([]);
    // The kill really landed mid-burst: requests were on the wire when the process died.
    expect(result.cut).toBeGreaterThan(0);

    // Restart on the same file: it recovers its WAL and serves writes again.
    const second = await startServer(env);
    servers.push(second);
    const after = await callJson(second.url, "POST", "/api/webhooks", {
      body: { action: "create-user", email: "after-crash@example.com", name: "After" },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.status).toBe(200);
    expect(await second.stop()).toBe(0);

    await withDatabase(dbUrl, async (db) => {
      expect((await db.client.execute("PRAGMA integrity_check")).rows[0]?.[0]).toBe("ok");
      expect((await db.client.execute("PRAGMA foreign_key_check")).rows).toHaveLength(0);
      const stored = new Set((await db.client.execute("SELECT email FROM users")).rows.map((r) => String(r.email)));
      const lost = result.acknowledged.filter((email) => !stored.has(email));
      expect(lost).toEqual([]);
      // Each acknowledged user's set-password mail was queued in the same transaction: none lost either.
      const queued = new Set(
        (await db.client.execute("SELECT to_address FROM mail_outbox WHERE kind = 'set-password'")).rows.map((r) =>
          String(r.to_address),
        ),
      );
      expect(result.acknowledged.filter((email) => !queued.has(email))).toEqual([]);
    });
  });

  test("a backup taken with VACUUM INTO while WORKERS=2 serve a write burst is a consistent copy", async () => {
    const url = `file:${join(dir, "live.db")}`;
    const token = await withDatabase(url, async (db) => {
      const admin = await seedAccount(db, {
        email: "admin@example.com",
        password: "unused but long enough",
        role: "ADMIN",
      });
      return seedWebhookToken(db, admin.id);
    });
    const server = await startServer({ ...env, DATABASE_URL: url, WORKERS: "2" });
    servers.push(server);
    let stopped = false;
    const [result, done] = burst(server.url, token, 4, () => stopped);
    await until(
      () => result.acknowledged.length >= 20,
      20_000,
      server.proc,
      () => JSON.stringify(result),
    );
    const backup = join(dir, "backup.db");
    const before = result.acknowledged.length;
    await withDatabase(url, (db) => db.client.execute({ sql: "VACUUM INTO ?", args: [backup] }));
    stopped = true;
    await done;
    expect(await server.stop()).toBe(0);
    expect(result.unexpected).toEqual([]);

    await withDatabase(`file:${backup}`, async (db) => {
      expect((await db.client.execute("PRAGMA integrity_check")).rows[0]?.[0]).toBe("ok");
      const stored = new Set((await db.client.execute("SELECT email FROM users")).rows.map((r) => String(r.email)));
      // Everything acknowledged before the backup started is in it.
      expect(result.acknowledged.slice(0, before).filter((email) => !stored.has(email))).toEqual([]);
      // Each user in the copy came with its queued mail: no half-written transaction.
      const orphans = await db.client.execute(
        "SELECT count(*) FROM users u WHERE u.role <> 'ADMIN' AND NOT EXISTS (SELECT 1 FROM mail_outbox m WHERE m.to_address = u.email)",
      );
      expect(Number(orphans.rows[0]?.[0])).toBe(0);
    });
  });
});
