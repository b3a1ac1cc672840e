// Event delivery across real server processes: a server killed with SIGKILL in the middle of a
// delivery sends it again after restart (same webhook-id); with WORKERS=2 both workers drain one
// outbox and no event is ever sent twice at the same time.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createEndpoint } from "../src/events/endpoints";
import { queueEventIn } from "../src/events/outbox";
import { encodeJwk, generateKeyMaterial } from "../src/keys/keys";
import { systemClock } from "../src/lib/clock";
import { startReceiver, type Receiver } from "./event-receiver";
import { tempDir } from "./helpers";
import { queryScalar, type ServerProcess, startServer, until, withDatabase } from "./process-helpers";

const dir = tempDir("seatkey-events-");
const servers: ServerProcess[] = [];
let receiver: Receiver;
let env: Record<string, string>;
let secretKey: Buffer;

beforeAll(async () => {
  const keys = await generateKeyMaterial();
  secretKey = Buffer.from(keys.secretKey, "base64url");
  env = {
    NODE_ENV: "test",
    JWT_PRIVATE_KEY: encodeJwk(keys.privateJwk),
    SECRET_KEY: keys.secretKey,
    EVENTS_ALLOW_PRIVATE: "true",
  };
  receiver = startReceiver();
});
afterAll(async () => {
  for (const server of servers) await server.kill9();
  receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A database with one endpoint pointing at the receiver and `count` queued events. */
async function prepare(name: string, count: number): Promise<string> {
  const url = `file:${join(dir, `${name}.db`)}`;
  await withDatabase(url, async (db) => {
    const deps = { db, clock: systemClock, keys: { secretKey } };
    const { secret } = await createEndpoint(deps, { url: receiver.url, createdBy: "test" });
    receiver.secrets.push(secret);
    for (let i = 0; i < count; i++) {
      await db.write((tx) => queueEventIn(tx, { clock: systemClock }, "user.created", { userId: `${name}-${i}` }));
    }
  });
  return url;
}

const delivered = (url: string) =>
  queryScalar(url, "SELECT count(*) FROM event_deliveries WHERE delivered_at IS NOT NULL").then(Number);

describe("event delivery across processes", () => {
  test("kill -9 while a delivery is in flight: after restart it is delivered, with the same webhook-id", async () => {
    const url = await prepare("crash", 1);
    receiver.received.length = 0;
    receiver.mode = "hang";
    const first = await startServer({ ...env, DATABASE_URL: url });
    servers.push(first);
    await until(
      () => receiver.received.length === 1,
      15_000,
      first.proc,
      () => first.output(),
    );
    await first.kill9();
    expect(await delivered(url)).toBe(0);

    // The dead process's claim would run out after LOCK_MS; age it rather than wait in a test.
    await withDatabase(url, (db) => db.client.execute("UPDATE event_deliveries SET locked_until = 0"));
    receiver.mode = "ok";
    const second = await startServer({ ...env, DATABASE_URL: url });
    servers.push(second);
    await until(
      async () => (await delivered(url)) === 1,
      15_000,
      second.proc,
      () => second.output(),
    );
    expect(await second.stop()).toBe(0);

    expect(receiver.received).toHaveLength(2);
    const [lost, retried] = receiver.received as [(typeof receiver.received)[0], (typeof receiver.received)[0]];
    expect(retried.id).toBe(lost.id);
    expect(retried.body).toBe(lost.body);
    expect(retried.error).toBeNull();
  });

  test("WORKERS=2: every event delivered once, never the same one twice at the same time", async () => {
    const count = 60;
    const url = await prepare("cluster", count);
    receiver.received.length = 0;
    receiver.maxInFlight.clear();
    receiver.delayMs = 30;
    const server = await startServer({ ...env, DATABASE_URL: url, WORKERS: "2" }, { timeoutMs: 30_000 });
    servers.push(server);
    await until(
      async () => (await delivered(url)) === count,
      30_000,
      server.proc,
      () => server.output(),
    );
    expect(await server.stop()).toBe(0);
    receiver.delayMs = 0;

    const ids = receiver.received.map((r) => r.id);
    expect(new Set(ids).size).toBe(count);
    expect(ids).toHaveLength(count);
    expect(Math.max(...receiver.maxInFlight.values())).toBe(1);
    expect(receiver.received.every((r) => r.error === null)).toBe(true);
  });
});
