// The API reference page: the pinned Swagger UI served by seatkey itself (no CDN), under a strict
// CSP, sending "Try it out" requests without cookies; off by default in production.
import { afterAll, describe, expect, test } from "bun:test";
import { type BrowserApp, HAS_BROWSER, startBrowserApp } from "./browser";
import { createTestContext } from "./helpers";

describe("switch", () => {
  test("OPENAPI_UI=false (the production default) serves no page, and the JSON document still", async () => {
    const t = await createTestContext({ env: { OPENAPI_UI: "false" } });
    try {
      expect((await t.request("GET", "/openapi")).status).toBe(404);
      expect((await t.request("GET", "/openapi/assets/swagger-ui-bundle.js")).status).toBe(404);
      expect((await t.request("GET", "/openapi/json")).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  test("the page loads only same-origin files under a CSP without inline scripts", async () => {
    const t = await createTestContext();
    try {
      const res = await t.request("GET", "/openapi");
      expect(res.status).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toContain("frame-ancestors 'none'");
      const html = await res.text();
      const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? "");
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) expect(source).toMatch(/^\/(openapi\/)?assets\//);
      expect(html).not.toMatch(/<script>[^<]/); // no inline script
      expect((await t.request("GET", "/openapi/assets/nope.js")).status).toBe(404);
    } finally {
      await t.close();
    }
  });
});

describe.skipIf(!HAS_BROWSER)("in a browser", () => {
  let b: BrowserApp;
  afterAll(() => b?.close());

  test("renders every operation offline, with no request leaving the origin and no CSP error", async () => {
    b = await startBrowserApp();
    const page = await b.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
    });
    page.on("request", (r) => {
      if (!r.url().startsWith(b.baseUrl)) problems.push(`left the origin: ${r.url()}`);
    });
    await page.goto(b.url("/openapi"));
    await page.locator(".opblock").first().waitFor();
    expect(await page.locator(".opblock").count()).toBeGreaterThan(10);
    expect(await page.getByText("/api/auth/login").count()).toBeGreaterThan(0);
    await b.screenshot(page, "openapi-desktop");
    expect(problems).toEqual([]);
  }, 60_000);
});
