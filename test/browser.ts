// Headless Chromium against the real app on a real 127.0.0.1 port, for page tests.
// Chromium comes from Debian (`apt-get install chromium`, as .ci/run does), driven by playwright-core.
//   const b = await startBrowserApp();            // b.t is the usual TestContext
//   const page = await b.newPage();               // or b.newPage({ javaScriptEnabled: false })
//   await page.goto(b.url("/reset-password"));
//   await b.close();
import { existsSync, mkdirSync } from "node:fs";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import type { Env } from "../src/config";
import type { TestContext } from "./helpers";
import { startLiveApp } from "./live-app";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Whether the browser tests run. CI must have Chromium (`.ci/run` installs it): there a missing
 * browser fails loudly. On a developer machine without it (`npm install && npm test` on a fresh
 * box) the browser tests are skipped with a notice instead.
 */
export const HAS_BROWSER = (() => {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs Debian's chromium`);
  console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  return false;
})();
export const ARTIFACTS = new URL("../test-artifacts/", import.meta.url).pathname;

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface BrowserApp {
  t: TestContext;
  /** http://127.0.0.1:<port>, which is also the app's PUBLIC_URL (so Origin checks pass). */
  baseUrl: string;
  browser: Browser;
  url(path: string): string;
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** Saves a full-page PNG under test-artifacts/ and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startBrowserApp(options: { env?: Env } = {}): Promise<BrowserApp> {
  const live = await startLiveApp(options);
  const { t, baseUrl } = live;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    t,
    baseUrl,
    browser,
    url: (path) => `${baseUrl}${path}`,
    async newPage(contextOptions = {}) {
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...contextOptions });
      return context.newPage();
    },
    async screenshot(page, name) {
      const path = `${ARTIFACTS}${name}.png`;
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await browser.close();
      await live.close();
    },
  };
}
