// Signed seatkey webhooks: HMAC-SHA256 over the raw body in one scheme, `Stripe-Signature: t=…,v1=…`
// (5-minute tolerance) — refused with 401 invalid_signature when missing, tampered, stale, made with
// another secret, or sent in another scheme (Lemon Squeezy's `X-Signature` is for lemonsqueezy endpoints).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { users } from "../db/schema";
import { hmacSha256 } from "../src/lib/crypto";
import { createTestContext, type TestContext } from "./helpers";
import { createHook, type Hook, signedInUser } from "./webhooks-fixtures";

const SECRET = "whsec_7f3c1d0e9b8a4f2c6d5e";
let t: TestContext;
let signed: Hook;
let unsigned: Hook;
beforeAll(async () => {
  t = await createTestContext();
  const admin = await signedInUser(t);
  signed = await createHook(t, admin, { name: "Stripe", signingSecret: SECRET });
  unsigned = await createHook(t, admin, { name: "plain" });
});
afterAll(() => t.close());

let n = 0;
/** A raw body exactly as a store would send it (odd spacing and key order on purpose). */
function rawBody(): { raw: string; email: string } {
  const email = `signed-${++n}@example.com`;
  return { raw: `{ "name":"Signed" ,"action": "create-user",\n "email":"${email}" }`, email };
}

const stripeHeader = (raw: string, at = Math.floor(t.clock.now() / 1000), secret = SECRET) =>
  `t=${at},v1=${hmacSha256(secret, `${at}.${raw}`).toString("hex")}`;

const post = (hook: Hook, raw: string, headers: Record<string, string>) =>
  t.request("POST", "/api/webhooks", {
    body: raw,
    headers: { authorization: `Bearer ${hook.token}`, "content-type": "application/json", ...headers },
  });

const exists = async (email: string) =>
  Boolean(await t.deps.db.orm.query.users.findFirst({ where: eq(users.email, email) }));

async function expectInvalid(hook: Hook, raw: string, email: string, headers: Record<string, string>) {
  const res = await post(hook, raw, headers);
  expect(res.status).toBe(401);
  expect(((await res.json()) as { code: string }).code).toBe("invalid_signature");
  expect(await exists(email)).toBe(false);
}

describe("Stripe-Signature", () => {
  test("a valid signature over the raw body is accepted", async () => {
    const { raw, email } = rawBody();
    const res = await post(signed, raw, { "stripe-signature": stripeHeader(raw) });
    expect(res.status).toBe(200);
    expect(await exists(email)).toBe(true);
  });

  test("any v1 may match (secret roll-over), and v0 entries are ignored", async () => {
    const { raw, email } = rawBody();
    const at = Math.floor(t.clock.now() / 1000);
    const good = hmacSha256(SECRET, `${at}.${raw}`).toString("hex");
    const res = await post(signed, raw, { "stripe-signature": `t=${at},v1=${"0".repeat(64)},v1=${good},v0=abc` });
    expect(res.status).toBe(200);
    expect(await exists(email)).toBe(true);
  });

  test("a tampered body is refused", async () => {
    const { raw, email } = rawBody();
    const header = stripeHeader(raw);
    await expectInvalid(signed, raw.replace('"Signed"', '"Mallory"'), email, { "stripe-signature": header });
  });

  test("a stale timestamp (older than 5 minutes) or one far in the future is refused", async () => {
    const { raw, email } = rawBody();
    const now = Math.floor(t.clock.now() / 1000);
    await expectInvalid(signed, raw, email, { "stripe-signature": stripeHeader(raw, now - 301) });
    await expectInvalid(signed, raw, email, { "stripe-signature": stripeHeader(raw, now + 301) });
    // The same signature made 4 minutes ago is still within tolerance.
    const header = stripeHeader(raw);
    t.clock.advance(240_000);
    expect((await post(signed, raw, { "stripe-signature": header })).status).toBe(200);
  });

  test("a missing header, a wrong secret or a malformed header is refused", async () => {
    const { raw, email } = rawBody();
    await expectInvalid(signed, raw, email, {});
    await expectInvalid(signed, raw, email, { "stripe-signature": stripeHeader(raw, undefined, "whsec_wrong") });
    await expectInvalid(signed, raw, email, { "stripe-signature": "garbage" });
    await expectInvalid(signed, raw, email, { "stripe-signature": `t=abc,v1=${"a".repeat(64)}` });
    await expectInvalid(signed, raw, email, { "stripe-signature": `t=${Math.floor(t.clock.now() / 1000)}` });
  });
});

describe("X-Signature (another scheme)", () => {
  test("a valid hex HMAC of the body is refused: a seatkey endpoint checks one scheme, never the sender's pick", async () => {
    const { raw, email } = rawBody();
    const res = await post(signed, raw, { "x-signature": hmacSha256(SECRET, raw).toString("hex") });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toContain("Stripe-Signature");
    expect(await exists(email)).toBe(false);
  });
});

describe("webhooks without a signing secret", () => {
  test("need no signature header", async () => {
    const { raw, email } = rawBody();
    expect((await post(unsigned, raw, {})).status).toBe(200);
    expect(await exists(email)).toBe(true);
  });

  test("the signing secret is never echoed or logged", async () => {
    expect(t.log.text()).not.toContain(SECRET);
  });
});
