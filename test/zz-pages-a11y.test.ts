// Every page state and every mail, looked at as people see them: phone and desktop, light and
// dark. axe-core audits each page state and the test fails on any violation; screenshots land in
// test-artifacts/ (git-ignored) for a person to look at.
import { AxeBuilder } from "@axe-core/playwright";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { BrowserContextOptions, Page } from "playwright-core";
import { unlimitedRateLimitEnv } from "../src/config";
import { MAIL_KINDS } from "../src/mail/kinds";
import { renderMail } from "../views/emails/messages";
import { type BrowserApp, HAS_BROWSER, startBrowserApp } from "./browser";
import { PASSWORD, seedUser } from "./fixtures";
import { MAIL_SAMPLES } from "./mail-samples";

const BROWSER_TEST_MS = 120_000;
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";

const VARIANTS: { name: string; options: BrowserContextOptions }[] = [
  { name: "desktop-light", options: { viewport: { width: 1280, height: 800 }, colorScheme: "light" } },
  { name: "desktop-dark", options: { viewport: { width: 1280, height: 800 }, colorScheme: "dark" } },
  {
    name: "phone-light",
    options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: "light" },
  },
  {
    name: "phone-dark",
    options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: "dark" },
  },
];

let b: BrowserApp;
beforeAll(async () => {
  // Each variant signs in and asks for links again: lift the rate limits for this file.
  if (HAS_BROWSER) b = await startBrowserApp({ env: { BRAND_NAME: "Acme Studio", ...unlimitedRateLimitEnv() } });
}, BROWSER_TEST_MS);
afterAll(() => b?.close());

/** axe-core's WCAG 2.x A/AA rules and best practices: the list of violations, by rule and target. */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")} — ${n.failureSummary}`));
}

/** A page state: how to reach it from a fresh page of a signed-out browser. */
interface PageState {
  name: string;
  reach(page: Page): Promise<void>;
}

async function signIn(page: Page, email: string) {
  await page.goto(b.url("/login"));
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/account$/);
}

describe.skipIf(!HAS_BROWSER)("every page state: no axe violations, phone and desktop, light and dark", () => {
  let email = "";
  beforeAll(async () => {
    if (!HAS_BROWSER) return;
    const user = await seedUser(b.t, {
      name: "Grace Hopper",
      licenses: [
        { productId: "studio", productName: "Studio Pro", seats: 3 }, // named; render-farm shows its id
        { productId: "render-farm", seats: 1 },
      ],
    });
    email = user.email;
    for (const ua of [IPHONE, MAC]) {
      const res = await fetch(b.url("/api/auth/login"), {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": ua },
        body: JSON.stringify({ email, password: PASSWORD, productId: "studio" }),
      });
      expect(res.status).toBe(200);
    }
  }, BROWSER_TEST_MS);

  const states: PageState[] = [
    { name: "login", reach: async (p) => void (await p.goto(b.url("/login"))) },
    {
      name: "login-error",
      reach: async (p) => {
        await p.goto(b.url("/login"));
        await p.getByLabel("Email address").fill(email);
        await p.getByLabel("Password", { exact: true }).fill("not the password at all");
        await p.getByRole("button", { name: "Sign in" }).click();
        await p.locator(".alert-error").waitFor();
      },
    },
    { name: "reset-password", reach: async (p) => void (await p.goto(b.url("/reset-password"))) },
    {
      name: "reset-password-sent",
      reach: async (p) => {
        await p.goto(b.url("/reset-password"));
        await p.getByLabel("Email address").fill("nobody@example.com");
        await p.getByRole("button", { name: "Email me a link" }).click();
        await p.getByRole("heading", { name: "Check your email" }).waitFor();
      },
    },
    { name: "create-password-bad-link", reach: async (p) => void (await p.goto(b.url("/create-password?token=x"))) },
    { name: "account", reach: (p) => signIn(p, email) },
    {
      name: "account-password-errors",
      reach: async (p) => {
        await signIn(p, email);
        await p.goto(b.url("/account/password"));
        await p.getByLabel("New password").fill("short");
        await p.getByRole("button", { name: "Save new password" }).click();
        await p.locator(".alert-error").waitFor();
      },
    },
    {
      name: "sign-out-others",
      reach: async (p) => {
        await signIn(p, email);
        await p.getByRole("link", { name: "Sign out everywhere else…" }).click();
        await p.getByRole("heading", { name: "Sign out everywhere else?" }).waitFor();
      },
    },
    {
      name: "logout",
      reach: async (p) => {
        await signIn(p, email);
        await p.goto(b.url("/logout"));
      },
    },
    { name: "not-found", reach: async (p) => void (await p.goto(b.url("/no-such-page"))) },
  ];

  for (const variant of VARIANTS) {
    test(
      variant.name,
      async () => {
        const found: string[] = [];
        const context = await b.browser.newContext({ ...variant.options, userAgent: MAC });
        for (const state of states) {
          const page = await context.newPage();
          await state.reach(page);
          for (const v of await violations(page)) found.push(`${state.name}: ${v}`);
          await b.screenshot(page, `page-${state.name}-${variant.name}`);
          await page.close();
          await context.clearCookies();
        }
        await context.close();
        expect(found).toEqual([]);
      },
      BROWSER_TEST_MS,
    );
  }
});

describe.skipIf(!HAS_BROWSER)("every mail, as a mail client shows it", () => {
  const ctx = { publicUrl: "https://auth.example.com", now: Date.UTC(2030, 0, 1, 12, 30), brandName: "Acme Studio" };
  const samples = MAIL_SAMPLES;

  test(
    "every kind renders and is screenshot in each variant",
    async () => {
      expect(samples.map((s) => s.kind).sort()).toEqual([...MAIL_KINDS].sort());
      for (const variant of VARIANTS) {
        const context = await b.browser.newContext(variant.options);
        const page = await context.newPage();
        for (const mail of samples) {
          const out = renderMail(mail.kind, mail.data, ctx);
          await page.setContent(out.html);
          expect(await page.locator("h1").count()).toBe(1);
          await b.screenshot(page, `mail-${mail.kind}-${variant.name}`);
        }
        await context.close();
      }
    },
    BROWSER_TEST_MS,
  );
});
