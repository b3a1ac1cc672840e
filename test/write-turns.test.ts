// Write turns across a cluster's processes (src/write-turns.ts): the primary grants the right to
// write in FIFO order; a waiting process never sits in SQLite's synchronous busy handler.
// Two database clients on one file stand in for two worker processes (each has its own
// connections and locks), joined to a granter through an in-memory channel instead of IPC.
import { afterAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { join } from "node:path";
import { openDatabase, type Database } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { MAX_WRITES_PER_TURN, TurnGranter, WorkerTurn, type TurnMessage } from "../src/write-turns";
import { tempDir } from "./helpers";

const url = `file:${join(tempDir("seatkey-turns-"), "turns.db")}`;

/** A granter and `n` worker turns wired to it; `sent` records what each side sent, in order. */
function cluster(n: number) {
  const sent: string[] = [];
  const workers: WorkerTurn[] = [];
  const granter = new TurnGranter((slot, message) => {
    sent.push(`${slot}<${message.type}`);
    queueMicrotask(() => workers[slot - 1]?.onMessage(message));
  });
  for (let slot = 1; slot <= n; slot++) {
    workers.push(
      new WorkerTurn((message: TurnMessage) => {
        sent.push(`${slot}>${message.type}`);
        queueMicrotask(() => granter.onMessage(slot, message));
      }),
    );
  }
  return { granter, workers, sent };
}

const insert = (db: Database, key: string) =>
  db.write((tx) => tx.run(sql`INSERT INTO rate_limits (key, count, window_start) VALUES (${key}, 1, 0)`));

describe("turn granter (the primary's side)", () => {
  const granted: number[] = [];
  const granter = new TurnGranter((slot) => granted.push(slot));

  test("grants one worker at a time, in the order they asked; a repeated request changes nothing", () => {
    granter.onMessage(2, { type: "turn" });
    granter.onMessage(1, { type: "turn" });
    granter.onMessage(3, { type: "turn" });
    granter.onMessage(1, { type: "turn" });
    expect(granted).toEqual([2]);
    granter.onMessage(2, { type: "turn" }); // the holder asking again is told it has it
    expect(granted).toEqual([2, 2]);
    granted.pop();
    granter.onMessage(1, { type: "turn-done" }); // not the holder: ignored
    expect(granted).toEqual([2]);
    granter.onMessage(2, { type: "turn-done" });
    expect(granted).toEqual([2, 1]);
  });

  test("a worker that dies holding the turn passes it on; one that dies waiting leaves the queue", () => {
    granter.onMessage(2, { type: "turn" });
    granter.forget(3); // waiting behind 1
    granter.forget(1); // holding
    expect(granted).toEqual([2, 1, 2]);
    granter.onMessage(2, { type: "turn-done" });
    expect(granted).toEqual([2, 1, 2]);
  });
});

describe("worker turn", () => {
  test("keeps the turn while writes are queued, up to MAX_WRITES_PER_TURN, then gives it back", async () => {
    const { workers, sent } = cluster(1);
    const turn = workers[0] as WorkerTurn;
    await turn.enter();
    for (let i = 1; i < MAX_WRITES_PER_TURN; i++) {
      turn.leave(true);
      await turn.enter(); // still held: no message
    }
    turn.leave(true);
    expect(sent).toEqual(["1>turn", "1<turn-granted", "1>turn-done"]);
    await turn.enter();
    turn.leave(false);
    expect(sent.slice(3)).toEqual(["1>turn", "1<turn-granted", "1>turn-done"]);
  });

  test("a grant it did not ask for is handed straight back; a channel that fails lets writes proceed", async () => {
    const sent: TurnMessage[] = [];
    const turn = new WorkerTurn((message) => {
      sent.push(message);
      if (sent.length > 1) throw new Error("channel closed");
    });
    turn.onMessage({ type: "turn-granted" });
    expect(sent).toEqual([{ type: "turn-done" }]);
    await turn.enter(); // the request fails to send: detached, granted at once
    turn.leave(false);
    await turn.enter();
    expect(sent).toHaveLength(2);
  });

  test("once the primary has gone, a waiting write proceeds and later ones do not ask", async () => {
    const sent: TurnMessage[] = [];
    const turn = new WorkerTurn((message) => sent.push(message));
    const waiting = turn.enter();
    turn.detach();
    await waiting;
    turn.leave(false);
    await turn.enter();
    expect(sent).toEqual([{ type: "turn" }]);
  });
});

describe("two clients on one file taking turns", () => {
  const { workers } = cluster(2);
  let a!: Database;
  let b!: Database;
  afterAll(() => {
    a?.close();
    b?.close();
  });

  test("a write waiting for the other's turn leaves the event loop free, then lands", async () => {
    a = await openDatabase({ url, turn: workers[0] });
    b = await openDatabase({ url, turn: workers[1] });
    await migrateDatabase(a);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holding = a.write(async (tx) => {
      await tx.run(sql`INSERT INTO rate_limits (key, count, window_start) VALUES ('held', 1, 0)`);
      await held; // keeps the turn, and SQLite's write lock, until released
    });
    await Bun.sleep(10);
    const waiting = insert(b, "waited");
    const started = performance.now();
    await Bun.sleep(200);
    // SQLite's busy handler would have blocked this thread for the whole wait (busy timeout 5 s).
    expect(performance.now() - started).toBeLessThan(400);
    release();
    await Promise.all([holding, waiting]);
    const rs = await a.client.execute("SELECT count(*) AS n FROM rate_limits WHERE key IN ('held', 'waited')");
    expect(Number(rs.rows[0]?.n)).toBe(2);
  });

  test("both keep writing under contention: every write lands, neither starves", async () => {
    const order: string[] = [];
    const burst = (db: Database, name: string) =>
      Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          db.write(async (tx) => {
            await tx.run(sql`INSERT INTO rate_limits (key, count, window_start) VALUES (${`${name}${i}`}, 1, 0)`);
            order.push(name);
          }),
        ),
      );
    await Promise.all([burst(a, "a"), burst(b, "b")]);
    expect(order.filter((n) => n === "a")).toHaveLength(100);
    // FIFO turns of at most MAX_WRITES_PER_TURN writes: b is served long before a has finished.
    expect(order.indexOf("b")).toBeLessThanOrEqual(MAX_WRITES_PER_TURN);
    expect(order.lastIndexOf("a")).toBeGreaterThan(order.indexOf("b"));
  });
});
