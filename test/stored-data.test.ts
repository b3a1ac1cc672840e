// Dates and stored data: validUntil is capped at the end of year 9999 and impossible calendar days
// are refused; whatever is already stored, no page or API answer fails with a 500.
import { afterAll, describe, expect, test } from "bun:test";
import { MAX_VALID_UNTIL, parseValidUntil } from "../src/licenses/service";
import { bearer, loginAs, PASSWORD, seedUser } from "./fixtures";
import { FormClient } from "./form-client";
import { createTestContext } from "./helpers";
import { createHook, deliver, signedInUser } from "./webhooks-fixtures";

const t = await createTestContext();
afterAll(() => t.close());

const refusal = (value: string | number) => {
  try {
    parseValidUntil(value);
    return undefined;
  } catch (error) {
    return (error as { status: number; code: string }).code;
  }
};

describe("validUntil", () => {
  test("impossible calendar days are refused instead of rolling over", () => {
    expect(refusal("2031-02-30")).toBe("invalid_input");
    expect(refusal("2031-04-31T00:00:00Z")).toBe("invalid_input");
    expect(refusal("2031-13-01")).toBe("invalid_input");
    expect(refusal("2031-01-01T24:30:00Z")).toBe("invalid_input");
    expect(refusal("2032-02-29")).toBeUndefined(); // a leap day
    expect(parseValidUntil("2031-02-28")).toBe(Date.UTC(2031, 1, 28));
  });

  test("nothing later than the year 9999 is taken, as a number or a date", () => {
    expect(refusal(9007199254740991)).toBe("invalid_input");
    expect(refusal(MAX_VALID_UNTIL + 1)).toBe("invalid_input");
    expect(refusal("+275760-09-13")).toBe("invalid_input");
    expect(parseValidUntil(MAX_VALID_UNTIL)).toBe(MAX_VALID_UNTIL);
    expect(parseValidUntil("9999-12-31")).toBe(Date.UTC(9999, 11, 31));
  });

  test("the webhook refuses them with 400 naming the field, and creates nothing", async () => {
    const admin = await signedInUser(t);
    const hook = await createHook(t, admin);
    const grant = { action: "grant-license", email: "dates@example.com", name: "D", productId: "pro", seats: 1 };
    for (const validUntil of [9007199254740991, "2031-02-30"]) {
      const res = await deliver(t, hook.token, { ...grant, validUntil });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { field: string }).field).toBe("validUntil");
    }
    const users = await t.deps.db.client.execute("SELECT count(*) AS n FROM users WHERE email = 'dates@example.com'");
    expect(Number(users.rows[0]?.n)).toBe(0);
  });
});

describe("stored data beyond what a Date holds", () => {
  test("a license stored before the cap (valid until 2^53-1 ms) never makes /account or the API answer 500", async () => {
    const user = await seedUser(t, { licenses: [{ productId: "forever", seats: 1 }] });
    await t.deps.db.client.execute({
      sql: "UPDATE licenses SET valid_until = ? WHERE user_id = ?",
      args: [Number.MAX_SAFE_INTEGER, user.id],
    });
    const browser = new FormClient(t);
    await browser.get("/login");
    await browser.post("/login", { email: user.email, password: PASSWORD });
    const page = await browser.get("/account");
    expect(page.res.status).toBe(200);
    expect(page.html).toContain("forever");
    const { accessToken } = await loginAs(t, user);
    expect((await t.request("GET", "/api/auth/me", { headers: bearer(accessToken) })).status).toBe(200);
    expect(t.log.lines.filter((l) => l.level === "error")).toEqual([]);
  });
});
