// The password pages in headless Chromium on a real port: the emailed link is followed, errors
// appear beside their field, and everything works with JavaScript disabled too.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { type BrowserApp, HAS_BROWSER, startBrowserApp } from "./browser";
import { seedUser } from "./fixtures";
import { linkIn } from "./smtp";

const PASSWORD = "sunlight over the quiet harbour";
const BROWSER_TEST_MS = 30_000; // a real browser: more than bun's 5 s default
let b: BrowserApp;
beforeAll(async () => {
  if (HAS_BROWSER) b = await startBrowserApp();
}, BROWSER_TEST_MS);
afterAll(() => b?.close());

/**
 * Collects what would show a broken page: console errors (CSP violations included), failed loads
 * and server errors. A form answered with 400/403 is expected here, and Chromium logs those too.
 * A load the browser cancels because a form post navigated away (net::ERR_ABORTED) is not a fault.
 */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 4\d\d/.test(m.text())) problems.push(m.text());
  });
  page.on("requestfailed", (r) => {
    const reason = r.failure()?.errorText ?? "unknown";
    if (reason !== "net::ERR_ABORTED") problems.push(`failed (${reason}): ${r.url()}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 500) problems.push(`${r.status()}: ${r.url()}`);
  });
  return problems;
}

/** Asks for a link on /reset-password and returns the link from the mail. */
async function askForLink(page: Page, email: string): Promise<string> {
  await page.goto(b.url("/reset-password"));
  await page.getByLabel("Email address").fill(email);
  await page.getByRole("button", { name: "Email me a link" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  const mail = await b.t.smtp.waitFor((m) => m.to.includes(email));
  return linkIn(mail, `${b.baseUrl}/create-password?token=`);
}

async function fillPasswords(page: Page, password: string, confirm = password) {
  await page.getByLabel("New password").fill(password);
  await page.getByLabel("Type it again").fill(confirm);
  await page.getByRole("button", { name: /Set password|Save new password/ }).click();
}

describe.skipIf(!HAS_BROWSER)("with JavaScript", () => {
  test(
    "a new user sets a password through the emailed link; errors appear beside the field",
    async () => {
      const user = await seedUser(b.t, { password: null, name: "Margaret" });
      const page = await b.newPage();
      const problems = watchProblems(page);
      const link = await askForLink(page, user.email);
      await page.goto(link);
      await page.getByRole("heading", { name: "Set your password" }).waitFor();
      expect(await page.getByLabel("Account").inputValue()).toBe(user.email);
      // The stylesheet is loaded (no inline styles are allowed by the CSP).
      const buttonColour = await page
        .getByRole("button", { name: "Set password" })
        .evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(buttonColour).toBe("rgb(29, 78, 216)");

      await fillPasswords(page, "passwordpassword");
      const error = page.locator("#password-error");
      expect(await error.textContent()).toContain("commonly used");
      expect(await page.getByLabel("New password").getAttribute("aria-invalid")).toBe("true");
      expect(await page.getByLabel("New password").inputValue()).toBe(""); // never echoed back
      expect(await page.title()).toStartWith("Error: Set your password");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("password"); // focus on the problem
      await b.screenshot(page, "create-password-error");

      await fillPasswords(page, PASSWORD, `${PASSWORD}.`);
      expect(await page.locator("#confirm-error").textContent()).toContain("don't match");

      await fillPasswords(page, PASSWORD);
      await page.getByRole("heading", { name: "Password saved" }).waitFor();
      expect(await page.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/login");
      await b.screenshot(page, "create-password-done");

      const login = await b.t.request("POST", "/api/auth/login", { body: { email: user.email, password: PASSWORD } });
      expect(login.status).toBe(200);

      // The link is used up: a clear page with a way to get a new one.
      await page.goto(link);
      await page.getByRole("heading", { name: "This link has already been used" }).waitFor();
      await page.getByRole("link", { name: "Get a new link" }).click();
      await page.getByRole("heading", { name: "Reset your password" }).waitFor();
      expect(problems).toEqual([]);
    },
    BROWSER_TEST_MS,
  );

  test(
    "keyboard focus is visible, and the form fits a phone screen",
    async () => {
      const user = await seedUser(b.t);
      const page = await b.newPage({ viewport: { width: 375, height: 740 } });
      await page.goto(await askForLink(page, user.email));
      await page.getByLabel("New password").focus();
      await page.keyboard.press("Tab");
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
      expect(outline).toBe("solid");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await fillPasswords(page, "short");
      await b.screenshot(page, "create-password-phone");
    },
    BROWSER_TEST_MS,
  );
});

describe.skipIf(!HAS_BROWSER)("without JavaScript", () => {
  test(
    "the whole reset flow works with plain HTML forms",
    async () => {
      const user = await seedUser(b.t);
      const page = await b.newPage({ javaScriptEnabled: false });
      const problems = watchProblems(page);
      const link = await askForLink(page, user.email);
      await page.goto(link);
      await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
      await fillPasswords(page, "too short");
      expect(await page.locator("#password-error").textContent()).toContain("at least 15 characters");
      await fillPasswords(page, PASSWORD);
      await page.getByRole("heading", { name: "Password saved" }).waitFor();
      const login = await b.t.request("POST", "/api/auth/login", { body: { email: user.email, password: PASSWORD } });
      expect(login.status).toBe(200);
      expect(problems).toEqual([]);
    },
    BROWSER_TEST_MS,
  );

  test(
    "a form posted after its CSRF cookie is gone is refused with a page that explains it",
    async () => {
      const user = await seedUser(b.t);
      const context = await b.browser.newContext({ javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(await askForLink(page, user.email));
      await context.clearCookies();
      await fillPasswords(page, PASSWORD);
      await page.getByRole("heading", { name: "This form was refused" }).waitFor();
      await page.getByRole("link", { name: "Try again" }).click();
      await page.getByRole("heading", { name: "Choose a new password" }).waitFor(); // the link still works
      await context.close();
    },
    BROWSER_TEST_MS,
  );
});
