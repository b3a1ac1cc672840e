// The account pages driven in headless Chromium (Debian's chromium via playwright-core).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BrowserApp, HAS_BROWSER, startBrowserApp } from "./browser";
import { type LoginBody, PASSWORD, seedUser } from "./fixtures";

let b: BrowserApp;
beforeAll(async () => {
  if (HAS_BROWSER) b = await startBrowserApp();
});
afterAll(() => b?.close());

const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const NEW_PASSWORD = "river stone lantern morning";

async function appLogin(email: string, userAgent: string): Promise<LoginBody> {
  const res = await fetch(b.url("/api/auth/login"), {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": userAgent },
    body: JSON.stringify({ email, password: PASSWORD, productId: "studio" }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as LoginBody;
}

const refreshStatus = async (token: string) =>
  (
    await fetch(b.url("/api/auth/refresh-token"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken: token }),
    })
  ).status;

describe.skipIf(!HAS_BROWSER)("account pages in a real browser", () => {
  test("sign in, see every device, revoke one, change password, sign out — phone and desktop", async () => {
    const user = await seedUser(b.t, { name: "Grace Hopper", licenses: [{ productId: "studio", seats: 3 }] });
    const phone = await appLogin(user.email, IPHONE);
    const laptop = await appLogin(user.email, WINDOWS);

    const page = await b.newPage({ userAgent: WINDOWS });
    await page.goto(b.url("/login"));
    await page.getByLabel("Email address").fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/account$/);

    const devices = page.locator("li.session");
    expect(await devices.count()).toBe(3);
    const text = await page.locator("main").innerText();
    expect(text).toContain("Safari 17 on iOS");
    expect(text).toContain("Chrome 126 on Windows");
    expect(text).toContain("This device");
    expect(text).toContain("2 / 3");
    await b.screenshot(page, "account-desktop");

    const mobile = await b.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await mobile.context().addCookies(await page.context().cookies());
    await mobile.goto(b.url("/account"));
    expect(await mobile.locator("li.session").count()).toBe(3);
    // Nothing overflows sideways on a phone.
    const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await b.screenshot(mobile, "account-phone");

    // Revoke the phone's session: its refresh token stops working at once.
    await page.getByRole("button", { name: /Sign out Safari 17 on iOS/ }).click();
    await page.waitForURL(/done=revoked/);
    expect(await page.locator("li.session").count()).toBe(2);
    expect(await refreshStatus(phone.refreshToken)).toBe(401);
    expect(await refreshStatus(laptop.refreshToken)).toBe(200);

    // Change the password, signing out the other devices (the default).
    await page.getByRole("link", { name: "Change your password" }).click();
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByLabel("New password").fill("short");
    await page.getByLabel("Type it again").fill("short");
    await page.getByRole("button", { name: "Save new password" }).click();
    expect(await page.locator("#password-error").innerText()).toContain("at least 15");
    await b.screenshot(page, "account-password-error");
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByLabel("New password").fill(NEW_PASSWORD);
    await page.getByLabel("Type it again").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Save new password" }).click();
    await page.waitForURL(/done=password/);
    expect(await page.locator("li.session").count()).toBe(1);

    // Sign out.
    await page.getByRole("link", { name: "Sign out of this page" }).click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login\?done=signed-out/);
    await page.goto(b.url("/account"));
    expect(page.url()).toContain("/login");
  });

  test("works with JavaScript disabled", async () => {
    const user = await seedUser(b.t, { licenses: [{ productId: "studio", seats: 1 }] });
    const page = await b.newPage({ javaScriptEnabled: false });
    await page.goto(b.url("/login"));
    await page.getByLabel("Email address").fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/account$/);
    expect(await page.locator("h1").innerText()).toBe("Your account");
  });
});
