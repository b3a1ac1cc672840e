// Account-page sign-ins end after ACCOUNT_IDLE_TIMEOUT (12 h by default) without use.
import { afterAll, describe, expect, test } from "bun:test";
import { PASSWORD, seedUser, sessionRow } from "./fixtures";
import { FormClient } from "./form-client";
import { createTestContext } from "./helpers";

const t = await createTestContext();
afterAll(() => t.close());

async function signedIn() {
  const user = await seedUser(t);
  const browser = new FormClient(t);
  await browser.get("/login");
  await browser.post("/login", { email: user.email, password: PASSWORD });
  const sessionId = (browser.cookies.get("seatkey-account") ?? "").split(".")[0] ?? "";
  return { browser, sessionId };
}

const HOUR = 3600_000;

describe("ACCOUNT_IDLE_TIMEOUT", () => {
  test("defaults to 12 h", () => {
    expect(t.deps.config.accountIdleTimeout).toBe(12 * 3600);
  });

  test("a sign-in unused for longer ends: the page asks to sign in again and the session is revoked", async () => {
    const { browser, sessionId } = await signedIn();
    expect((await browser.get("/account")).res.status).toBe(200);
    t.clock.advance(12 * HOUR + 60_000);
    const page = await browser.get("/account");
    expect(page.res.status).toBe(303);
    expect(page.res.headers.get("location")).toBe("/login");
    expect(await sessionRow(t, sessionId)).toMatchObject({ revokeReason: "idle_timeout" });
  });

  test("a sign-in in use keeps going past 12 h in total", async () => {
    const { browser } = await signedIn();
    for (let i = 0; i < 3; i++) {
      t.clock.advance(11 * HOUR);
      expect((await browser.get("/account")).res.status).toBe(200);
    }
  });
});
