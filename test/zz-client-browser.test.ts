// seatkey/client in headless Chromium, in cookie mode: the page (its own origin, listed in
// CORS_ORIGINS) loads the client bundle, logs in, and two tabs share one session with one refresh
// in flight; the refresh token stays in the HttpOnly cookie and never reaches script.
import { afterAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import type { SeatkeyClient } from "../src/client";
import { join } from "node:path";
import { HAS_BROWSER, startBrowserApp } from "./browser";
import { seedUser } from "./fixtures";
import { freePort, until } from "./process-helpers";

const REFRESH = "/api/auth/refresh-token";

/** What the test page puts on window. */
type PageWindow = Window & { client: SeatkeyClient; events: string[]; skew: number; ready?: boolean };

describe.skipIf(!HAS_BROWSER)("seatkey/client in Chromium (cookie mode)", async () => {
  const pagePort = freePort();
  const pageOrigin = `http://127.0.0.1:${pagePort}`;
  const b = await startBrowserApp({ env: { CORS_ORIGINS: pageOrigin } });
  const built = await Bun.build({ entrypoints: [join(import.meta.dir, "../src/client/index.ts")], target: "browser" });
  const bundle = await built.outputs[0]!.text();
  // The app's page: the client from its bundle, time shifted by window.skew (ms) to reach expiry.
  const html = `<!doctype html><script type="module">
    import * as seatkey from "/client.js";
    window.client = seatkey.createSeatkeyClient({
      baseUrl: ${JSON.stringify(b.baseUrl)},
      storage: seatkey.cookieStorage(),
      heartbeat: false,
      timers: { now: () => Date.now() + (window.skew ?? 0), setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h) },
    });
    window.events = [];
    window.client.subscribe((e) => window.events.push(e.type));
    window.ready = true;
  </script>`;
  const site = Bun.serve({
    port: pagePort,
    hostname: "127.0.0.1",
    fetch: (req) =>
      new URL(req.url).pathname === "/client.js"
        ? new Response(bundle, { headers: { "content-type": "text/javascript" } })
        : new Response(html, { headers: { "content-type": "text/html" } }),
  });
  afterAll(async () => {
    await site.stop(true);
    await b.close();
  });

  const user = await seedUser(b.t, { licenses: [{ productId: "app", seats: 1 }] });
  const context = await b.browser.newContext();
  const refreshes: { tab: string; start: number; end?: number }[] = [];
  const bodies: string[] = [];
  async function openTab(name: string): Promise<Page> {
    const page = await context.newPage();
    page.on("request", (req) => {
      if (req.method() === "POST" && req.url().endsWith(REFRESH))
        refreshes.push({ tab: name, start: performance.now() });
    });
    page.on("requestfinished", (req) => {
      const entry = refreshes.find((r) => r.end === undefined && req.url().endsWith(REFRESH) && r.tab === name);
      if (entry) entry.end = performance.now();
    });
    page.on("response", async (res) => {
      if (res.url().startsWith(`${b.baseUrl}/api/auth/`) && res.request().method() === "POST" && res.status() === 200)
        bodies.push(await res.text());
    });
    await page.goto(`${pageOrigin}/`);
    await page.waitForFunction(() => (window as unknown as PageWindow).ready === true);
    return page;
  }

  const tabA = await openTab("A");
  const tabB = await openTab("B");
  const token = (page: Page) => page.evaluate(() => (window as unknown as PageWindow).client.getAccessToken());

  test("logs in with the refresh token only in the HttpOnly cookie: never in an answer, document.cookie or storage", async () => {
    const seat = await tabA.evaluate(
      ({ email, password }) => (window as unknown as PageWindow).client.login(email, password),
      { email: user.email, password: user.password },
    );
    expect(seat).toMatchObject({ limited: false });
    const cookies = await context.cookies(`${b.baseUrl}${REFRESH}`);
    const refresh = cookies.find((c) => c.name === "refreshToken");
    expect(refresh).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/api/auth" });
    const seen = await tabA.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify(localStorage),
      session: JSON.stringify(sessionStorage),
      state: JSON.stringify((window as unknown as PageWindow).client.state),
    }));
    await until(() => bodies.length === 1, 5_000); // the login answer, as the page received it
    for (const place of [...Object.values(seen), ...bodies]) expect(place).not.toContain(refresh!.value);
    expect(bodies).toHaveLength(1);
    expect(JSON.parse(bodies[0]!)).not.toHaveProperty("refreshToken");
  });

  test("the other tab gets the session from the first, without a refresh of its own", async () => {
    expect(await tabB.evaluate(() => (window as unknown as PageWindow).events)).toEqual(["signed_in"]);
    expect(await token(tabB)).toBe(await token(tabA));
    expect(refreshes).toHaveLength(0);
  });

  test("both tabs due for a refresh at once: one refresh in flight, both get its token", async () => {
    const before = await token(tabA);
    for (const tab of [tabA, tabB]) await tab.evaluate(() => ((window as unknown as PageWindow).skew = 9.5 * 60_000));
    const [a, b2] = await Promise.all([token(tabA), token(tabB)]);
    expect(a).not.toBe(before);
    expect(b2).toBe(a);
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]?.end).toBeDefined();
    await until(() => bodies.length === 2, 5_000);
    expect(JSON.parse(bodies.at(-1)!)).not.toHaveProperty("refreshToken");
    const cookies = await context.cookies(`${b.baseUrl}${REFRESH}`);
    for (const body of bodies) expect(body).not.toContain(cookies.find((c) => c.name === "refreshToken")!.value);
  });

  test("again, later, from the other tab first: still one refresh per expiry, never two at once", async () => {
    for (const tab of [tabA, tabB]) await tab.evaluate(() => ((window as unknown as PageWindow).skew = 19 * 60_000));
    const [b2, a] = await Promise.all([token(tabB), token(tabA)]);
    expect(a).toBe(b2);
    expect(refreshes).toHaveLength(2);
    const [first, second] = refreshes;
    expect(second!.start).toBeGreaterThanOrEqual(first!.end!);
  });

  test("logout in one tab signs out the other", async () => {
    expect(await tabA.evaluate(() => (window as unknown as PageWindow).client.logout())).toBe(true);
    expect(await tabB.evaluate(() => (window as unknown as PageWindow).client.state)).toEqual({
      status: "signed_out",
      reason: "logout",
    });
    expect(await tabB.evaluate(() => (window as unknown as PageWindow).events)).toEqual(["signed_in", "signed_out"]);
  });
});
