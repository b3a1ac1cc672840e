// The seat promise against a paying customer: at most `seats` usable tokens at every instant
// (a released seat cools down until its last access token expires), a seat is a seat of one
// product (the token says which), and license changes never sign more people out than they must.
import { afterAll, describe, expect, test } from "bun:test";
import { decodeJwt } from "jose";
import { unlimitedRateLimitEnv } from "../src/config";
import { createTestContext } from "./helpers";
import { bearer, type LoginBody, loginAs, seatedCount, seedUser, sessionRow } from "./fixtures";
import { FormClient } from "./form-client";
import { signedInUser } from "./webhooks-fixtures";

// The race tests send dozens of parallel logins for one account; every attempt counts against the
// login limit until it succeeds, so the limits are lifted here (test/rate-limits-race.test.ts owns them).
const t = await createTestContext({ env: unlimitedRateLimitEnv() });
afterAll(() => t.close());

const TTL_MS = t.deps.config.accessTokenTtl * 1000;

/** What the seat answers carry beyond the base shape. */
type SeatAnswer = LoginBody & { product: string | null; seatFreeAt?: number | null };

const login = (user: { email: string; password: string }, extra: Record<string, unknown> = {}) =>
  loginAs(t, user, extra) as Promise<SeatAnswer>;

const logout = async (refreshToken: string) => {
  const res = await t.request("POST", "/api/auth/logout", { body: { refreshToken } });
  expect(res.status).toBe(204);
};

const refresh = async (refreshToken: string) => {
  const res = await t.request("POST", "/api/auth/refresh-token", { body: { refreshToken } });
  expect(res.status).toBe(200);
  return (await res.json()) as SeatAnswer;
};

interface TokenClaims {
  limited: boolean;
  product: string | null;
  licenses: { productId: string; validUntil: number }[];
}
const claims = (answer: { accessToken: string }) => decodeJwt(answer.accessToken) as unknown as TokenClaims;

/** The check the README tells a resource server of product `mine` to make. */
const grantsSeatOf = (answer: { accessToken: string }, mine: string) => {
  const c = claims(answer);
  return !c.limited && c.product === mine;
};

interface Me {
  licenses: { productId: string; seats: number; seatsUsed: number; valid: boolean }[];
  products: { productId: string; seats: number; used: number; cooling: number; seatFreeAt: number | null }[];
  seats: { total: number; used: number };
}
const me = async (accessToken: string) => {
  const res = await t.request("GET", "/api/auth/me", { headers: bearer(accessToken) });
  expect(res.status).toBe(200);
  return (await res.json()) as Me;
};

describe("logout farming: a released seat stays counted until its last access token expires", () => {
  test("login → logout → login is limited seat_cooling_down with seatFreeAt; after the token's expiry a login takes the seat", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    const first = await login(user);
    expect(first.limited).toBe(false);
    const firstExp = (decodeJwt(first.accessToken).exp ?? 0) * 1000;
    await logout(first.refreshToken);

    const again = await login(user);
    expect(again).toMatchObject({ limited: true, limitedReason: "seat_cooling_down", seatFreeAt: firstExp });
    expect(claims(again)).toMatchObject({ limited: true, product: null, licenses: [] });

    t.clock.advance(firstExp - t.clock.now() - 1000);
    expect(await login(user)).toMatchObject({ limited: true, limitedReason: "seat_cooling_down" });
    t.clock.advance(1000);
    const after = await login(user);
    expect(after).toMatchObject({ limited: false, limitedReason: null, seatFreeAt: null });
  });

  test("five login/logout cycles on one seat yield one usable token, not five", async () => {
    const user = await seedUser(t, { licenses: [{ productId: "solo", seats: 1 }] });
    const usable: SeatAnswer[] = [];
    for (let i = 0; i < 5; i++) {
      const a = await login(user);
      if (grantsSeatOf(a, "solo")) usable.push(a);
      await logout(a.refreshToken);
    }
    expect(usable).toHaveLength(1);
  });

  test("the cool-down runs from the last access token issued: a refresh moves it on", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    const first = await login(user);
    t.clock.advance(5 * 60_000);
    const refreshed = await refresh(first.refreshToken);
    expect(refreshed.limited).toBe(false);
    await logout(refreshed.refreshToken);
    const next = await login(user);
    expect(next).toMatchObject({ limitedReason: "seat_cooling_down", seatFreeAt: t.clock.now() + TTL_MS });
    const row = await sessionRow(t, first.sessionId);
    expect(row).toBeDefined();
  });

  test("revoking a session (DELETE /api/auth/sessions/:id) cools its seat down too", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 2 }] });
    const a = await login(user);
    const b = await login(user);
    const res = await t.request("DELETE", `/api/auth/sessions/${b.sessionId}`, { headers: bearer(a.accessToken) });
    expect(res.status).toBe(204);
    expect(await login(user)).toMatchObject({ limited: true, limitedReason: "seat_cooling_down" });
    const seats = await me(a.accessToken);
    expect(seats.seats).toMatchObject({ total: 2, used: 2 });
    expect(seats.products).toMatchObject([{ seats: 2, used: 2, cooling: 1 }]);
  });

  test("a limited session refreshing while the only seat cools down stays limited, then takes it", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    const holder = await login(user);
    const waiting = await login(user);
    expect(waiting).toMatchObject({ limited: true, limitedReason: "no_free_seat" });
    await logout(holder.refreshToken);
    const cooling = await refresh(waiting.refreshToken);
    expect(cooling).toMatchObject({ limited: true, limitedReason: "seat_cooling_down", product: null });
    t.clock.advance(TTL_MS);
    expect(await refresh(cooling.refreshToken)).toMatchObject({ limited: false, limitedReason: null, product: "app" });
  });

  test("race: 30 logins during a cool-down are all limited; after it, 30 logins seat exactly one", async () => {
    const user = await seedUser(t, { licenses: [{ seats: 1 }] });
    const first = await login(user);
    await logout(first.refreshToken);
    const during = await Promise.all(Array.from({ length: 30 }, () => login(user)));
    expect(during.every((a) => a.limited && a.limitedReason === "seat_cooling_down")).toBe(true);
    t.clock.advance(TTL_MS);
    const after = await Promise.all(Array.from({ length: 30 }, () => login(user)));
    expect(after.filter((a) => !a.limited)).toHaveLength(1);
    expect(await seatedCount(t, user.id)).toBe(1);
  });

  test("the account page shows a cooling seat with when it frees", async () => {
    const user = await seedUser(t, { licenses: [{ productId: "studio", seats: 1 }] });
    const app = await login(user);
    await logout(app.refreshToken);
    t.clock.advance(6 * 60_000);
    const browser = new FormClient(t);
    await browser.get("/login");
    await browser.post("/login", { email: user.email, password: user.password });
    const { html } = await browser.get("/account");
    expect(html).toContain("frees in 4 minutes");
    expect(html).toContain("1 of 1 seats in use");
  });
});

describe("SEAT_RELEASE=immediate", () => {
  test("a seat released by logout is free at once", async () => {
    const now = await createTestContext({ env: { SEAT_RELEASE: "immediate" } });
    try {
      const user = await seedUser(now, { licenses: [{ seats: 1 }] });
      const first = await loginAs(now, user);
      const out = await now.request("POST", "/api/auth/logout", { body: { refreshToken: first.refreshToken } });
      expect(out.status).toBe(204);
      expect(await loginAs(now, user)).toMatchObject({ limited: false, limitedReason: null });
    } finally {
      await now.close();
    }
  });

  test("an unknown SEAT_RELEASE value stops start-up naming the variable", async () => {
    await expect(createTestContext({ env: { SEAT_RELEASE: "never" } })).rejects.toThrow(/SEAT_RELEASE/);
  });
});

describe("a seat is a seat of one product", () => {
  test("attack: 1 pro + 5 basic seats, five logins naming basic → five basic tokens, none passes a pro check", async () => {
    const user = await seedUser(t, {
      licenses: [
        { productId: "pro", seats: 1 },
        { productId: "basic", seats: 5 },
      ],
    });
    const basics = await Promise.all(Array.from({ length: 5 }, () => login(user, { productId: "basic" })));
    for (const b of basics) {
      expect(b).toMatchObject({ limited: false, product: "basic" });
      expect(claims(b).product).toBe("basic");
      expect(claims(b).licenses.map((l) => l.productId)).toEqual(["basic"]);
      expect(grantsSeatOf(b, "pro")).toBe(false);
      expect(grantsSeatOf(b, "basic")).toBe(true);
    }
    const sixth = await login(user, { productId: "basic" });
    expect(sixth).toMatchObject({ limited: true, limitedReason: "no_free_seat", product: null });
    expect(claims(sixth)).toMatchObject({ limited: true, product: null, licenses: [] });

    const pro = await login(user, { productId: "pro" });
    expect(pro).toMatchObject({ limited: false, product: "pro", remainingLicenses: 0 });
    expect(claims(pro).licenses.map((l) => l.productId)).toEqual(["pro"]);

    const counts = await me(pro.accessToken);
    expect(counts.seats).toEqual({ total: 6, used: 6 });
    const byProduct = Object.fromEntries(counts.products.map((p) => [p.productId, [p.used, p.seats]]));
    expect(byProduct).toEqual({ pro: [1, 1], basic: [5, 5] });
    expect(counts.licenses.reduce((sum, l) => sum + l.seatsUsed, 0)).toBe(counts.seats.used);
  });

  test("an unscoped login takes a seat of the only product, or of the free product whose license runs longest, and says which", async () => {
    const single = await seedUser(t, { licenses: [{ productId: "only", seats: 1 }] });
    const one = await login(single);
    expect(one).toMatchObject({ limited: false, product: "only" });
    expect(claims(one).product).toBe("only");
    expect(await login(single)).toMatchObject({ limited: true, limitedReason: "no_free_seat", product: null });

    const user = await seedUser(t, {
      licenses: [
        { productId: "short", seats: 1, validForMs: 30 * 86400_000 },
        { productId: "long", seats: 1, validForMs: 700 * 86400_000 },
      ],
    });
    expect((await login(user)).product).toBe("long");
    expect((await login(user)).product).toBe("short");
    const none = await login(user);
    expect(none).toMatchObject({ limited: true, limitedReason: "no_free_seat", product: null });
    expect(claims(none).licenses).toEqual([]);
  });

  test("a login naming a product the user lacks is limited no_license even when other products have free seats", async () => {
    const user = await seedUser(t, { licenses: [{ productId: "basic", seats: 5 }] });
    const answer = await login(user, { productId: "pro" });
    expect(answer).toMatchObject({ limited: true, limitedReason: "no_license", product: null });
    expect(claims(answer).licenses).toEqual([]);
  });

  test("refresh keeps a session on its product: limited when that product's license expired, though another has seats", async () => {
    const user = await seedUser(t, {
      licenses: [
        { productId: "trial", seats: 1, validForMs: 60_000 },
        { productId: "other", seats: 3 },
      ],
    });
    const s = await login(user, { productId: "trial" });
    expect(s.product).toBe("trial");
    t.clock.advance(120_000);
    const after = await refresh(s.refreshToken);
    expect(after).toMatchObject({ limited: true, limitedReason: "expired", product: null });
    expect(claims(after).licenses).toEqual([]);
    expect((await sessionRow(t, s.sessionId))?.productId).toBe("trial");
  });

  test("an unscoped session keeps the product it took across refreshes", async () => {
    const user = await seedUser(t, {
      licenses: [
        { productId: "a", seats: 1, validForMs: 400 * 86400_000 },
        { productId: "b", seats: 1, validForMs: 300 * 86400_000 },
      ],
    });
    const s = await login(user);
    expect(s.product).toBe("a");
    const r = await refresh(s.refreshToken);
    expect(r).toMatchObject({ limited: false, product: "a" });
    expect(claims(r).product).toBe("a");
  });

  test("race: 40 mixed logins on 1 pro + 3 basic seat exactly 1 pro and 3 basic", async () => {
    const user = await seedUser(t, {
      licenses: [
        { productId: "pro", seats: 1 },
        { productId: "basic", seats: 3 },
      ],
    });
    const bodies = Array.from({ length: 40 }, (_, i) =>
      i % 3 === 0 ? {} : { productId: i % 3 === 1 ? "pro" : "basic" },
    );
    const answers = await Promise.all(bodies.map((b) => login(user, b)));
    const seated = answers.filter((a) => !a.limited);
    expect(seated.filter((a) => a.product === "pro")).toHaveLength(1);
    expect(seated.filter((a) => a.product === "basic")).toHaveLength(3);
    expect(seated).toHaveLength(4);
    expect(await seatedCount(t, user.id)).toBe(4);
    const counts = await me(seated[0]?.accessToken ?? "");
    expect(counts.seats).toEqual({ total: 4, used: 4 });
  });

  test("the admin's view of a user counts per product, adding up to the total", async () => {
    const admin = await signedInUser(t);
    const user = await seedUser(t, {
      licenses: [
        { productId: "pro", seats: 1 },
        { productId: "basic", seats: 5 },
      ],
    });
    for (let i = 0; i < 3; i++) await login(user, { productId: "basic" });
    await login(user); // basic runs no longer than pro here: either, but exactly one
    const res = await t.request("GET", `/api/users/${user.id}`, { headers: bearer(admin.token) });
    expect(res.status).toBe(200);
    const detail = (await res.json()) as Me & { sessions: { productId: string | null; seated: boolean }[] };
    expect(detail.seats).toEqual({ total: 6, used: 4 });
    expect(detail.products.reduce((sum, p) => sum + p.used, 0)).toBe(4);
    for (const p of detail.products) {
      expect(detail.sessions.filter((s) => s.seated && s.productId === p.productId)).toHaveLength(p.used);
    }
  });

  test("the account page's per-product rows add up to its total", async () => {
    const user = await seedUser(t, {
      licenses: [
        { productId: "desktop", seats: 3 },
        { productId: "mobile", seats: 2 },
      ],
    });
    await login(user, { productId: "desktop" });
    await login(user, { productId: "desktop" });
    await login(user); // takes one of desktop or mobile, and only that one
    const browser = new FormClient(t);
    await browser.get("/login");
    await browser.post("/login", { email: user.email, password: user.password });
    const { html } = await browser.get("/account");
    expect(html).toContain("3 of 5 seats in use");
    const rows = [...html.matchAll(/<td>(\d+) \/ (\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(rows.reduce((a, b) => a + b, 0)).toBe(3);
  });
});
