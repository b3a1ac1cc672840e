import { afterAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { auditLog, licenses } from "../db/schema";
import { unlimitedRateLimitEnv } from "../src/config";
import { createTestContext } from "./helpers";
import { type LoginBody, loginAs, seatedCount, seedUser } from "./fixtures";

// Seat races log one account in many times at once from one address: every attempt counts against
// the login limits until it succeeds (test/rate-limits-race.test.ts), so they are lifted here.
const t = await createTestContext({ env: unlimitedRateLimitEnv() });
afterAll(() => t.close());

const refresh = async (token: string) => {
  const res = await t.request("POST", "/api/auth/refresh-token", { body: { refreshToken: token } });
  expect(res.status).toBe(200);
  return (await res.json()) as LoginBody;
};

describe("seats", () => {
  test("50 simultaneous logins on a 3-seat license seat exactly 3; the rest are limited no_free_seat", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 3 }] });
    const answers = await Promise.all(Array.from({ length: 50 }, () => loginAs(t, user)));
    expect(answers.filter((a) => !a.limited)).toHaveLength(3);
    const limited = answers.filter((a) => a.limited);
    expect(limited).toHaveLength(47);
    expect(limited.every((a) => a.limitedReason === "no_free_seat" && a.remainingLicenses === 0)).toBe(true);
    expect(await seatedCount(t, user.id)).toBe(3);
  });

  test("no license → limited no_license; only expired licenses → limited expired", async () => {
    const none = await seedUser(t);
    expect(await loginAs(t, none)).toMatchObject({ limited: true, limitedReason: "no_license", remainingLicenses: 0 });
    const expired = await seedUser(t, { licenses: [{ seats: 5, validForMs: -1000 }] });
    expect(await loginAs(t, expired)).toMatchObject({ limited: true, limitedReason: "expired" });
  });

  test("seats sum over valid licenses; remainingLicenses counts down", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }, { seats: 2 }, { seats: 10, validForMs: -1 }] });
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await loginAs(t, user));
    expect(got.map((g) => g.remainingLicenses)).toEqual([2, 1, 0, 0]);
    expect(got.map((g) => g.limited)).toEqual([false, false, false, true]);
  });

  test("productId at login narrows the count to that product's licenses and sessions", async () => {
    const user = await seedUser(t, {
      licenses: [
        { productId: "desktop", seats: 1 },
        { productId: "mobile", seats: 1 },
      ],
    });
    expect((await loginAs(t, user, { productId: "desktop" })).limited).toBe(false);
    expect(await loginAs(t, user, { productId: "desktop" })).toMatchObject({
      limited: true,
      limitedReason: "no_free_seat",
    });
    expect((await loginAs(t, user, { productId: "mobile" })).limited).toBe(false);
    expect(await loginAs(t, user, { productId: "server" })).toMatchObject({
      limited: true,
      limitedReason: "no_license",
    });
  });

  test("a session idle past SEAT_IDLE_TIMEOUT frees its seat; when it returns it is limited if the seat was taken", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    const crashed = await loginAs(t, user);
    expect(crashed.limited).toBe(false);
    expect((await loginAs(t, user)).limited).toBe(true);

    t.clock.advance(31 * 60_000); // three missed refreshes and more
    const replacement = await loginAs(t, user);
    expect(replacement.limited).toBe(false);

    const back = await refresh(crashed.refreshToken);
    expect(back).toMatchObject({ limited: true, limitedReason: "no_free_seat" });
    expect(await seatedCount(t, user.id)).toBe(1);
  });

  test("refresh re-evaluates: a limited session takes a seat that has become free", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    const holder = await loginAs(t, user);
    const waiting = await loginAs(t, user);
    expect(waiting.limited).toBe(true);
    const logout = await t.request("POST", "/api/auth/logout", { body: { refreshToken: holder.refreshToken } });
    expect(logout.status).toBe(204);
    // The released seat frees once the holder's last access token has expired (README "Seats").
    t.clock.advance(t.deps.config.accessTokenTtl * 1000);
    const promoted = await refresh(waiting.refreshToken);
    expect(promoted).toMatchObject({ limited: false, limitedReason: null });
    const audits = await t.deps.db.orm.select().from(auditLog);
    expect(audits.some((a) => a.event === "refresh.seat_changed" && a.detail?.includes(waiting.sessionId))).toBe(true);
  });

  test("refresh re-evaluates: a session whose license expired becomes limited expired", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1, validForMs: 60_000 }] });
    const session = await loginAs(t, user);
    expect(session.limited).toBe(false);
    t.clock.advance(120_000);
    expect(await refresh(session.refreshToken)).toMatchObject({ limited: true, limitedReason: "expired" });
  });

  test("a shrunk license leaves no more seated sessions than seats once they refresh", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 3 }] });
    let sessions: LoginBody[] = await Promise.all([loginAs(t, user), loginAs(t, user), loginAs(t, user)]);
    await t.deps.db.write((tx) => tx.update(licenses).set({ seats: 1 }).where(eq(licenses.userId, user.id)));
    sessions = await Promise.all(sessions.map((s) => refresh(s.refreshToken)));
    expect(sessions.filter((s) => !s.limited)).toHaveLength(1);
    expect(await seatedCount(t, user.id)).toBe(1);
  });
});

describe("mixed product-scoped and unscoped logins", () => {
  test("never seat more sessions than seats", async () => {
    const user = await seedUser(t, { licenses: [{ productId: "p", seats: 1 }] });
    const unnamed = await loginAs(t, user);
    expect(unnamed.limited).toBe(false);
    expect(await loginAs(t, user, { productId: "p" })).toMatchObject({ limited: true, limitedReason: "no_free_seat" });
    expect(await seatedCount(t, user.id)).toBe(1);
  });
});
