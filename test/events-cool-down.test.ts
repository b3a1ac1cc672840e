// seat.released when a seat finishes cooling down: a seat given back by logout, revocation or a
// refresh that lost it stays counted until its last access token expires (SEAT_RELEASE=cooldown);
// the release says so (cooling, seatFreeAt) and a second one, reason cool_down_ended, is queued
// exactly once when it actually frees — across processes, from the server's poller or prune.
// Delivered to a real receiver that verifies each signature with `standardwebhooks`.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { join } from "node:path";
import { licenses } from "../db/schema";
import { eventRunner } from "../src/events/sender";
import { prune } from "../src/maintenance/prune";
import { announceAllCoolDownsEnded, announceCoolDownsEnded } from "../src/sessions/cool-down";
import { startReceiver, type Receiver } from "./event-receiver";
import { bearer, loginAs, seedUser, sessionRow } from "./fixtures";
import { createTestContext, type TestContext } from "./helpers";
import { signedInUser } from "./webhooks-fixtures";

let t: TestContext;
let receiver: Receiver;
let ttlMs: number;

interface Event {
  type: string;
  data: Record<string, unknown>;
}

async function subscribe(ctx: TestContext) {
  const admin = await signedInUser(ctx, "ADMIN");
  const res = await ctx.request("POST", "/api/admin/event-endpoints", {
    body: { url: receiver.url, eventTypes: ["seat.taken", "seat.released"] },
    headers: bearer(admin.token),
  });
  expect(res.status).toBe(201);
  receiver.secrets.push(((await res.json()) as { secret: string }).secret);
}

/** The events delivered since the last call, each verified by the receiver. */
async function delivered(ctx = t): Promise<Event[]> {
  await eventRunner(ctx.deps).flush();
  const got = receiver.received.splice(0);
  for (const r of got) expect(r.error).toBeNull();
  return got.map((r) => r.verified as Event);
}

const logout = (refreshToken: string, ctx = t) =>
  ctx.request("POST", "/api/auth/logout", { body: { refreshToken } }).then((r) => expect(r.status).toBe(204));

beforeAll(async () => {
  t = await createTestContext({ env: { EVENTS_ALLOW_PRIVATE: "true" } });
  ttlMs = t.deps.config.accessTokenTtl * 1000;
  receiver = startReceiver();
  receiver.now = () => t.clock.now();
  await subscribe(t);
});
afterAll(async () => {
  receiver.stop();
  await t.close();
});
beforeEach(async () => {
  await announceAllCoolDownsEnded(t.deps);
  await delivered();
});

describe("seat.released when a cool-down ends", () => {
  test("logout: released cooling until the token expires; cool_down_ended once when it frees, and the seat is usable then", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1, productId: "app" }] });
    const login = await loginAs(t, user, { productId: "app" });
    const freeAt = t.clock.now() + ttlMs;
    await delivered();
    t.clock.advance(60_000);
    await logout(login.refreshToken);
    const ids = { userId: user.id, sessionId: login.sessionId, productId: "app" };
    expect(await delivered()).toMatchObject([
      { type: "seat.released", data: { ...ids, reason: "logout", cooling: true, seatFreeAt: freeAt } },
    ]);

    // Still cooling: nothing announced, and a new login is limited until exactly that time.
    t.clock.set(freeAt - 1);
    expect(await announceCoolDownsEnded(t.deps)).toBe(0);
    const early = await loginAs(t, user, { productId: "app" });
    expect(early).toMatchObject({ limited: true, limitedReason: "seat_cooling_down", seatFreeAt: freeAt });
    expect(await delivered()).toEqual([]);

    t.clock.set(freeAt);
    expect(await announceCoolDownsEnded(t.deps)).toBe(1);
    expect(await delivered()).toMatchObject([
      { type: "seat.released", data: { ...ids, reason: "cool_down_ended", cooling: false, seatFreeAt: freeAt } },
    ]);
    expect((await sessionRow(t, login.sessionId))?.seatFreeAnnounceAt).toBeNull();
    // Once: later runs and prune find nothing more.
    expect(await announceCoolDownsEnded(t.deps)).toBe(0);
    expect((await prune(t.deps)).coolDownsEnded).toBe(0);
    expect(await delivered()).toEqual([]);
    // What the event promised: someone else can take the seat now.
    const next = await loginAs(t, user, { productId: "app" });
    expect(next.limited).toBe(false);
    expect(await delivered()).toMatchObject([{ type: "seat.taken", data: { sessionId: next.sessionId } }]);
  });

  test("three processes and prune at once: each ended cool-down is announced exactly once", async () => {
    const sessions: string[] = [];
    for (let i = 0; i < 7; i++) {
      const user = await seedUser(t, { licenses: [{ seats: 1 }] });
      const login = await loginAs(t, user);
      await logout(login.refreshToken);
      sessions.push(login.sessionId);
    }
    expect((await delivered()).filter((e) => e.data.cooling === true)).toHaveLength(7);
    t.clock.advance(ttlMs);
    const env = { ...process.env, DATABASE_URL: t.deps.config.databaseUrl, NOW: String(t.clock.now()) };
    const processes = [1, 2].map(() =>
      Bun.spawn([process.execPath, join(import.meta.dir, "cool-down-process.ts")], { env, stdout: "pipe" }),
    );
    const here = await Promise.all([
      announceCoolDownsEnded(t.deps, 3),
      prune(t.deps).then((c) => c.coolDownsEnded),
      announceAllCoolDownsEnded(t.deps),
    ]);
    const there = await Promise.all(processes.map(async (p) => Number(await new Response(p.stdout).text())));
    for (const p of processes) expect(await p.exited).toBe(0);
    expect([...here, ...there].reduce((a, b) => a + b, 0)).toBe(7);
    const ended = (await delivered()).filter((e) => e.data.reason === "cool_down_ended");
    expect(ended.map((e) => e.data.sessionId).sort()).toEqual([...sessions].sort());
  });

  test("a refresh that loses the seat (license ended): released cooling, then cool_down_ended", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1, validForMs: 60_000 }] });
    const login = await loginAs(t, user);
    const freeAt = t.clock.now() + ttlMs;
    await delivered();
    t.clock.advance(120_000);
    const res = await t.request("POST", "/api/auth/refresh", { body: { refreshToken: login.refreshToken } });
    expect(await res.json()).toMatchObject({ limited: true, limitedReason: "expired" });
    expect(await delivered()).toMatchObject([
      {
        type: "seat.released",
        data: { sessionId: login.sessionId, reason: "license_change", cooling: true, seatFreeAt: freeAt },
      },
    ]);
    t.clock.set(freeAt);
    expect(await announceAllCoolDownsEnded(t.deps)).toBe(1);
    expect(await delivered()).toMatchObject([
      { type: "seat.released", data: { sessionId: login.sessionId, reason: "cool_down_ended", seatFreeAt: freeAt } },
    ]);
  });

  test("a session that takes its seat back before the cool-down ends announces no end", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1, validForMs: 60_000 }] });
    const login = await loginAs(t, user);
    await delivered();
    t.clock.advance(120_000);
    const refresh = async (token: string) => {
      const res = await t.request("POST", "/api/auth/refresh", { body: { refreshToken: token } });
      expect(res.status).toBe(200);
      return (await res.json()) as { refreshToken: string; limited: boolean };
    };
    const lost = await refresh(login.refreshToken);
    expect(lost.limited).toBe(true);
    const validUntil = t.clock.now() + 86_400_000;
    await t.deps.db.write((tx) => tx.update(licenses).set({ validUntil }).where(eq(licenses.userId, user.id)));
    expect((await refresh(lost.refreshToken)).limited).toBe(false);
    const seen = (await delivered()).map((e) => `${e.type} ${e.data.reason}`).sort();
    expect(seen).toEqual(["seat.released license_change", "seat.taken undefined"]);
    t.clock.advance(ttlMs * 2);
    expect(await announceAllCoolDownsEnded(t.deps)).toBe(0);
    expect(await delivered()).toEqual([]);
  });

  test("a seat released after its last token expired is free at once: not cooling, nothing follows", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    const login = await loginAs(t, user);
    await delivered();
    t.clock.advance(ttlMs + 1000);
    const admin = await signedInUser(t, "ADMIN");
    const res = await t.request("DELETE", `/api/admin/sessions/${login.sessionId}`, { headers: bearer(admin.token) });
    expect(res.status).toBeLessThan(300);
    expect(await delivered()).toMatchObject([
      { type: "seat.released", data: { reason: "revocation", cooling: false, seatFreeAt: t.clock.now() } },
    ]);
    t.clock.advance(ttlMs);
    expect(await announceAllCoolDownsEnded(t.deps)).toBe(0);
  });
});

describe("SEAT_RELEASE=immediate", () => {
  test("a logout frees the seat at once: released not cooling, and no cool_down_ended ever", async () => {
    const now = await createTestContext({ env: { EVENTS_ALLOW_PRIVATE: "true", SEAT_RELEASE: "immediate" } });
    try {
      receiver.now = () => now.clock.now();
      await subscribe(now);
      const user = await seedUser(now, { licenses: [{ seats: 1 }] });
      const login = await loginAs(now, user);
      await logout(login.refreshToken, now);
      const released = (await delivered(now)).filter((e) => e.type === "seat.released");
      expect(released).toMatchObject([{ data: { reason: "logout", cooling: false, seatFreeAt: now.clock.now() } }]);
      now.clock.advance(ttlMs * 2);
      expect(await announceAllCoolDownsEnded(now.deps)).toBe(0);
      expect((await sessionRow(now, login.sessionId))?.seatFreeAnnounceAt).toBeNull();
    } finally {
      receiver.now = () => t.clock.now();
      await now.close();
    }
  });
});
