// seatkey/client against a live server on a real 127.0.0.1 port: the server's clock is the test
// context's FixedClock, the client's is a FakeTimers; both are moved by hand, nothing sleeps.
import { afterAll, describe, expect, test } from "bun:test";
import { createSeatkeyClient, memoryStorage, SeatkeyError, type SeatkeyEvent, type TokenStorage } from "../src/client";
import { FakeTimers, recordingFetch } from "./client-harness";
import { bearer, sessionRow, seedUser } from "./fixtures";
import { FormClient } from "./form-client";
import { startLiveApp } from "./live-app";

const live = await startLiveApp();
const { t, baseUrl } = live;
afterAll(() => live.close());

const REFRESH = "/api/auth/refresh-token";
const MINUTE = 60_000;

/** A storage that also remembers every token it was given (what a thief could have copied). */
function spyStorage(): TokenStorage & { history: (string | null)[] } {
  const inner = memoryStorage();
  const history: (string | null)[] = [];
  return {
    mode: "body",
    history,
    load: () => inner.load(),
    save: async (token) => {
      history.push(token);
      await inner.save(token);
    },
  };
}

function newClient(options: { heartbeat?: boolean; productId?: string } = {}) {
  const timers = new FakeTimers();
  const net = recordingFetch();
  const storage = spyStorage();
  const client = createSeatkeyClient({ baseUrl, timers, fetch: net.fetch, storage, heartbeat: false, ...options });
  const events: SeatkeyEvent[] = [];
  client.subscribe((event) => events.push(event));
  return { client, timers, net, storage, events };
}

const seatedUser = (seats = 1) => seedUser(t, { licenses: [{ productId: "app", seats }] });

async function signedOutReason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "still signed in";
  } catch (error) {
    if (error instanceof SeatkeyError) return error.code;
    throw error;
  }
}

describe("one refresh in flight", () => {
  test("50 concurrent getAccessToken() around expiry make exactly one refresh, and all get its token", async () => {
    const user = await seatedUser();
    const { client, timers, net } = newClient();
    await client.login(user.email, user.password);
    const first = await client.getAccessToken();

    timers.jump(9 * MINUTE - 1); // just before the refresh point (1 minute before expiry): no refresh
    const early = await Promise.all(Array.from({ length: 50 }, () => client.getAccessToken()));
    expect(new Set(early)).toEqual(new Set([first]));
    expect(net.to(REFRESH)).toHaveLength(0);

    timers.jump(2); // inside the last minute: the token is still valid, and due for a refresh
    const tokens = await Promise.all(Array.from({ length: 50 }, () => client.getAccessToken()));
    expect(net.to(REFRESH)).toHaveLength(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    expect((await t.request("GET", "/api/auth/me", { headers: bearer(tokens[0]!) })).status).toBe(200);

    timers.jump(20 * MINUTE); // long past expiry (the app slept): again exactly one
    await Promise.all(Array.from({ length: 50 }, () => client.getAccessToken()));
    expect(net.to(REFRESH)).toHaveLength(2);
  });
});

describe("a lost answer", () => {
  test("is retried with the same token inside the grace window: same successor, session not revoked", async () => {
    const user = await seatedUser();
    const { client, timers, net, events } = newClient();
    const seat = await client.login(user.email, user.password);
    timers.jump(10 * MINUTE);
    net.dropNext(REFRESH);
    const token = await client.getAccessToken();

    const [lost, retry] = net.to(REFRESH);
    expect(lost?.status).toBe("dropped");
    expect(retry?.status).toBe(200);
    expect(retry?.body.refreshToken).toBe(lost?.body.refreshToken as string); // the same token, never an older one
    expect((await t.request("GET", "/api/auth/me", { headers: bearer(token) })).status).toBe(200);
    expect((await sessionRow(t, seat.sessionId))?.revokedAt).toBeNull();
    const replays = await t.deps.db.client.execute(
      "SELECT count(*) AS n FROM audit_log WHERE event = 'refresh.grace_replay'",
    );
    expect(Number(replays.rows[0]?.n)).toBe(1);

    timers.jump(10 * MINUTE); // and the chain goes on from the successor
    t.clock.advance(60_000);
    await client.getAccessToken();
    expect(net.to(REFRESH).at(-1)?.status).toBe(200);
    expect(events.map((e) => e.type)).toEqual(["signed_in"]);
  });

  test("network failures back off (0, 0.5, 1, 2, 4, 8 s ±20 %) with the same token; a still-valid token is used meanwhile", async () => {
    const user = await seatedUser();
    const { client, timers, net } = newClient();
    await client.login(user.email, user.password);
    const valid = await client.getAccessToken();
    timers.jump(9 * MINUTE + 1); // due for refresh, still valid for a minute
    net.setOffline(true);
    timers.delays.length = 0;
    const pending = client.getAccessToken();
    await timers.advance(30_000);
    expect(await pending).toBe(valid);
    const attempts = net.to(REFRESH);
    expect(attempts).toHaveLength(7);
    expect(new Set(attempts.map((a) => a.body.refreshToken)).size).toBe(1);
    const expected = [500, 1000, 2000, 4000, 8000];
    expect(timers.delays).toHaveLength(5);
    timers.delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(expected[i]! * 0.8);
      expect(delay).toBeLessThanOrEqual(expected[i]! * 1.2);
    });

    timers.jump(2 * MINUTE); // expired, still offline: now it is an error, but not a sign-out
    const offline = signedOutReason(client.getAccessToken());
    await timers.advance(30_000);
    expect(await offline).toBe("network");
    expect(client.state.status).toBe("signed_in");
    net.setOffline(false);
    expect(await client.getAccessToken()).not.toBe(valid);
  });
});

describe("signed out by the server, with its reason", () => {
  test("a thief replaying an older stolen token: the session is revoked and the client signs out with reuse_detected", async () => {
    const user = await seatedUser();
    const { client, timers, storage, events } = newClient();
    await client.login(user.email, user.password);
    const stolen = storage.history[0]!;
    timers.jump(10 * MINUTE);
    await client.getAccessToken(); // rotated: the stolen token is now an older one
    t.clock.advance(31_000); // past the grace window
    const thief = await t.request("POST", REFRESH, { body: { refreshToken: stolen } });
    expect(thief.status).toBe(401);

    timers.jump(10 * MINUTE);
    expect(await signedOutReason(client.getAccessToken())).toBe("signed_out");
    expect(client.state).toEqual({ status: "signed_out", reason: "reuse_detected" });
    expect(events.at(-1)).toEqual({ type: "signed_out", reason: "reuse_detected" });
    expect(await storage.load()).toBeNull();
  });

  test("a thief who refreshed first with the current token: the client's next refresh is reuse", async () => {
    const user = await seatedUser();
    const { client, timers, storage } = newClient();
    await client.login(user.email, user.password);
    const thief = await t.request("POST", REFRESH, { body: { refreshToken: storage.history[0] } });
    expect(thief.status).toBe(200);
    t.clock.advance(31_000);
    timers.jump(10 * MINUTE);
    expect(await signedOutReason(client.getAccessToken())).toBe("signed_out");
    expect(client.state).toEqual({ status: "signed_out", reason: "reuse_detected" });
  });

  test("revoking the device on the account page reaches the client at its next refresh (revoked)", async () => {
    const user = await seatedUser();
    const { client, timers, events } = newClient();
    const seat = await client.login(user.email, user.password);
    const page = new FormClient(t);
    await page.get("/login");
    expect((await page.post("/login", { email: user.email, password: user.password })).res.status).toBe(303);
    await page.get("/account");
    const revoked = await page.post(`/account/sessions/${seat.sessionId}/revoke`, {});
    expect(revoked.res.status).toBe(303);

    expect(await client.getAccessToken()).toBeString(); // offline check: the access token lives on until it expires
    timers.jump(9 * MINUTE + 1);
    expect(await signedOutReason(client.getAccessToken())).toBe("signed_out");
    expect(events.map((e) => e.type)).toEqual(["signed_in", "signed_out"]);
    expect(client.state).toEqual({ status: "signed_out", reason: "revoked" });
  });

  test("logout frees the session on the server and signs out with reason logout", async () => {
    const user = await seatedUser();
    const { client, storage, events } = newClient();
    const seat = await client.login(user.email, user.password);
    expect(await client.logout()).toBe(true);
    expect((await sessionRow(t, seat.sessionId))?.revokeReason).toBe("logout");
    expect(await storage.load()).toBeNull();
    expect(events.at(-1)).toEqual({ type: "signed_out", reason: "logout" });
    expect(await signedOutReason(client.getAccessToken())).toBe("signed_out");
  });

  test("a wrong password is a SeatkeyError with the server's code, and no session", async () => {
    const user = await seatedUser();
    const { client } = newClient();
    expect(await signedOutReason(client.login(user.email, "not the password at all"))).toBe("invalid_credentials");
    expect(client.state.status).toBe("unknown");
  });
});

describe("the heartbeat", () => {
  test("keeps the seat of an idle-but-open app across SEAT_IDLE_TIMEOUT (30 min); without it the seat frees", async () => {
    const user = await seatedUser(1);
    const { client, timers, net } = newClient({ heartbeat: true });
    await client.login(user.email, user.password);
    for (let minute = 0; minute < 40; minute += 5) {
      t.clock.advance(5 * MINUTE);
      await timers.advance(5 * MINUTE);
    }
    // Every 9 minutes: 1 minute before each 10-minute token expires — derived from expiresIn.
    expect(net.to(REFRESH).map((call) => call.status)).toEqual([200, 200, 200, 200]);
    const other = await t.request("POST", "/api/auth/login", { body: { email: user.email, password: user.password } });
    expect(await other.json()).toMatchObject({ limited: true, limitedReason: "no_free_seat" });

    client.close(); // the app is closed (no logout): after the idle timeout the seat is free again
    t.clock.advance(31 * MINUTE);
    const third = await t.request("POST", "/api/auth/login", { body: { email: user.email, password: user.password } });
    expect(await third.json()).toMatchObject({ limited: false });
  });

  test("limited, then seat regained when another device logs out: events limited → seat_regained", async () => {
    const user = await seatedUser(1);
    const holder = await t.request("POST", "/api/auth/login", { body: { email: user.email, password: user.password } });
    const { refreshToken } = (await holder.json()) as { refreshToken: string };
    const { client, timers, events } = newClient({ heartbeat: true });
    const seat = await client.login(user.email, user.password);
    expect(seat).toMatchObject({ limited: true, limitedReason: "no_free_seat" });

    await t.request("POST", "/api/auth/logout", { body: { refreshToken } });
    t.clock.advance(10 * MINUTE); // the holder's last token has expired (the seat no longer cools down)
    await timers.advance(10 * MINUTE);
    expect(events.map((e) => e.type)).toEqual(["signed_in", "limited", "seat_regained"]);
    expect(client.state).toMatchObject({ status: "signed_in", seat: { limited: false, limitedReason: null } });
  });
});

// Seat cool-down (SPEC: a released seat counts until its last access token expires) comes with the
// seat-integrity change (issue 12); until the server has it, this test is skipped, loudly.
const probe = await seatedUser(1);
const probeLogin = async () =>
  (await (
    await t.request("POST", "/api/auth/login", { body: { email: probe.email, password: probe.password } })
  ).json()) as {
    refreshToken: string;
    limitedReason: string | null;
  };
await t.request("POST", "/api/auth/logout", { body: { refreshToken: (await probeLogin()).refreshToken } });
const HAS_COOLING = (await probeLogin()).limitedReason === "seat_cooling_down";
if (!HAS_COOLING) console.warn("client.test.ts: the server has no seat cool-down yet: seat_cooling_down test skipped");

test.skipIf(!HAS_COOLING)(
  "seat_cooling_down: limited until seatFreeAt; the client refreshes then, and regains the seat",
  async () => {
    const user = await seatedUser(1);
    const holder = await t.request("POST", "/api/auth/login", { body: { email: user.email, password: user.password } });
    const { refreshToken } = (await holder.json()) as { refreshToken: string };
    t.clock.advance(5 * MINUTE); // the holder's last token has 5 minutes left when it logs out
    await t.request("POST", "/api/auth/logout", { body: { refreshToken } });

    const { client, timers, net, events } = newClient({ heartbeat: true });
    const seat = await client.login(user.email, user.password);
    expect(seat).toMatchObject({ limited: true, limitedReason: "seat_cooling_down", product: null });
    expect(seat.seatFreeAt).toBe(t.clock.now() + 5 * MINUTE);

    t.clock.advance(5 * MINUTE + 1000);
    await timers.advance(5 * MINUTE + 1000); // before the 9-minute heartbeat: at seatFreeAt (+1 s)
    expect(net.to(REFRESH)).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(["signed_in", "limited", "seat_regained"]);
    expect(client.state).toMatchObject({ seat: { limited: false, product: "app" } });
  },
);
