// POST /api/auth/reset-password and /api/auth/create-password (README "Passwords and email"),
// end to end through the real SMTP server: every link used here is the one the mail carried.
import { afterAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { users } from "../db/schema";
import { setUserPassword } from "../src/passwords/service";
import { createTestContext } from "./helpers";
import { loginAs, PASSWORD, seedUser, sessionRow } from "./fixtures";
import { linkIn } from "./smtp";

const t = await createTestContext({ env: { TRUST_PROXY: "true" } });
afterAll(() => t.close());

const NEW_PASSWORD = "a brand new passphrase for seatkey";
let lastIp = 0;
const freshIp = () => `198.51.100.${++lastIp}`;
const post = (path: string, body: unknown, ip = freshIp()) =>
  t.request("POST", path, { body, headers: { "x-forwarded-for": ip } });

async function count(table: string, where = "1 = 1"): Promise<number> {
  const rs = await t.deps.db.client.execute(`SELECT count(*) AS n FROM ${table} WHERE ${where}`);
  return Number(rs.rows[0]?.n ?? 0);
}
const passwordHash = async (id: string) =>
  (await t.deps.db.orm.query.users.findFirst({ where: eq(users.id, id) }))?.passwordHash;

/** Asks for a link and returns the token from the mail that arrives. */
async function emailedToken(email: string, ip = freshIp()): Promise<string> {
  const before = t.smtp.messages.filter((m) => m.to.includes(email)).length;
  const res = await post("/api/auth/reset-password", { email }, ip);
  expect(res.status).toBe(200);
  await t.smtp.waitFor(
    (m) => m.to.includes(email) && t.smtp.messages.filter((x) => x.to.includes(email)).length > before,
  );
  const mail = t.smtp.messages.filter((m) => m.to.includes(email)).at(-1)!;
  const link = linkIn(mail, `${t.deps.config.publicUrl}/create-password?token=`);
  return new URL(link).searchParams.get("token")!;
}

const setPassword = (token: string, password = NEW_PASSWORD, confirm = password, ip?: string) =>
  post("/api/auth/create-password", { token, password, confirm }, ip);

describe("reset by email link", () => {
  test("the emailed link sets the password, ends every session, mails a notice; the new password signs in", async () => {
    const user = await seedUser(t, { name: "Grace" });
    const session = await loginAs(t, user);
    const token = await emailedToken(user.email);
    const res = await setPassword(token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true });

    expect((await sessionRow(t, session.sessionId))?.revokeReason).toBe("password_changed");
    const notice = await t.smtp.waitFor((m) => m.to.includes(user.email) && m.subject === "Your password was changed");
    expect(notice.text).toContain("Hi Grace,");
    expect(notice.text).toContain(`${t.deps.config.publicUrl}/reset-password`);
    expect((await post("/api/auth/login", { email: user.email, password: PASSWORD })).status).toBe(401);
    await loginAs(t, { email: user.email, password: NEW_PASSWORD });
    expect(await count("audit_log", `user_id = '${user.id}' AND event = 'password.changed'`)).toBe(1);
  });

  test("the reset mail says what it is and where the link leads", async () => {
    const user = await seedUser(t, { name: "Linus" });
    await emailedToken(user.email);
    const mail = t.smtp.messages.filter((m) => m.to.includes(user.email)).at(-1)!;
    expect(mail.subject).toContain("Reset your password");
    expect(mail.html).toContain(`href="${t.deps.config.publicUrl}/create-password?token=`);
  });

  test("an account without a password yet gets a set-password mail instead", async () => {
    const user = await seedUser(t, { password: null });
    const token = await emailedToken(user.email);
    const mail = t.smtp.messages.filter((m) => m.to.includes(user.email)).at(-1)!;
    expect(mail.subject).toContain("Set your password");
    expect((await setPassword(token)).status).toBe(200);
    expect(await passwordHash(user.id)).toStartWith("$argon2id$");
  });

  test("a link works once: the second use is 401 invalid_token and changes nothing", async () => {
    const user = await seedUser(t);
    const token = await emailedToken(user.email);
    expect((await setPassword(token)).status).toBe(200);
    const hash = await passwordHash(user.id);
    const again = await setPassword(token, "another fine passphrase here");
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ code: "invalid_token" });
    expect(await passwordHash(user.id)).toBe(hash);
  });

  test("a link expires after 30 minutes", async () => {
    const user = await seedUser(t);
    const token = await emailedToken(user.email);
    t.clock.advance(30 * 60_000 + 1);
    const res = await setPassword(token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "invalid_token" });
    expect(await passwordHash(user.id)).not.toBeNull();
    await loginAs(t, user); // the old password still works
  });

  test("a link still works just before 30 minutes", async () => {
    const user = await seedUser(t);
    const token = await emailedToken(user.email);
    t.clock.advance(30 * 60_000 - 1000);
    expect((await setPassword(token)).status).toBe(200);
  });

  test("asking for a new link voids the older one", async () => {
    const user = await seedUser(t);
    const first = await emailedToken(user.email);
    const second = await emailedToken(user.email);
    expect(first).not.toBe(second);
    expect((await setPassword(first)).status).toBe(401);
    expect((await setPassword(second)).status).toBe(200);
  });

  test("a made-up token is 401 invalid_token", async () => {
    for (const token of ["nope", "x".repeat(43), "x".repeat(300)]) {
      const res = await setPassword(token);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: "invalid_token" });
    }
  });
});

describe("weak or mismatched passwords", () => {
  test("400 weak_password naming the field, and the link stays usable", async () => {
    const user = await seedUser(t);
    const token = await emailedToken(user.email);
    for (const password of ["too short", "passwordpassword", `${user.email} is my password`, "x".repeat(257)]) {
      const res = await setPassword(token, password);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "weak_password", field: "password" });
    }
    expect((await setPassword(token)).status).toBe(200);
  });

  test("400 password_mismatch naming confirm; nothing changes", async () => {
    const user = await seedUser(t);
    const token = await emailedToken(user.email);
    const hash = await passwordHash(user.id);
    const res = await setPassword(token, NEW_PASSWORD, `${NEW_PASSWORD}!`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toMatchObject({ code: "password_mismatch", field: "confirm" });
    expect(typeof body.error).toBe("string");
    expect(await passwordHash(user.id)).toBe(hash);
  });
});

describe("no account enumeration", () => {
  test("unknown and inactive addresses get the same 200 answer and no mail", async () => {
    const inactive = await seedUser(t, { status: "INACTIVE" });
    const known = await seedUser(t);
    const answers = [];
    for (const email of ["nobody-here@example.com", inactive.email, known.email]) {
      const res = await post("/api/auth/reset-password", { email });
      answers.push([res.status, await res.text()]);
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    await t.smtp.waitFor((m) => m.to.includes(known.email));
    await Bun.sleep(100);
    expect(t.smtp.messages.filter((m) => m.to.includes("nobody-here") || m.to.includes(inactive.email))).toHaveLength(
      0,
    );
    expect(
      await count("audit_log", "event = 'password.reset_requested' AND detail LIKE '%unknown_email%'"),
    ).toBeGreaterThan(0);
    expect(await count("audit_log", "detail LIKE '%nobody-here%'")).toBe(0);
  });

  test("the decoy work done for an unknown address leaves nothing behind", async () => {
    const before = {
      users: await count("users"),
      tokens: await count("email_tokens"),
      mail: await count("mail_outbox"),
    };
    expect((await post("/api/auth/reset-password", { email: "decoy-check@example.com" })).status).toBe(200);
    const after = {
      users: await count("users"),
      tokens: await count("email_tokens"),
      mail: await count("mail_outbox"),
    };
    expect(after).toEqual(before);
    expect(await count("users", "email LIKE '%decoy.invalid'")).toBe(0);
  });

  test("known and unknown emails take the same time (medians of interleaved calls)", async () => {
    const limits = { RATE_LIMIT_RESET_IP_MAX: "100000", RATE_LIMIT_RESET_ACCOUNT_MAX: "100000" };
    const tt = await createTestContext({ env: limits });
    const known = (await seedUser(tt)).email;
    const time = async (email: string) => {
      const started = performance.now();
      const res = await tt.request("POST", "/api/auth/reset-password", { body: { email } });
      expect(res.status).toBe(200);
      return performance.now() - started;
    };
    const samples: Record<"known" | "unknown", number[]> = { known: [], unknown: [] };
    for (let i = 0; i < 40; i++) {
      const order = Math.random() < 0.5 ? (["known", "unknown"] as const) : (["unknown", "known"] as const);
      for (const kind of order) {
        const ms = await time(kind === "known" ? known : `nobody-${i}@example.com`);
        if (i >= 5) samples[kind].push(ms); // the first calls warm up the code paths
      }
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const [k, u] = [median(samples.known), median(samples.unknown)];
    // Tolerant: both are a few database round trips; a real difference (hashing, SMTP) would be 10×.
    expect(Math.abs(k - u)).toBeLessThan(Math.max(2, 0.5 * Math.min(k, u)));
    await Bun.sleep(200); // let the background sender finish before closing
    await tt.close();
  }, 20_000);
});

describe("rate limits", () => {
  test("reset-password: per IP, then 429 with Retry-After", async () => {
    const ip = freshIp();
    const max = t.deps.config.rateLimits.resetPerIp.max;
    for (let i = 0; i < max; i++)
      expect((await post("/api/auth/reset-password", { email: `ip-${i}@example.com` }, ip)).status).toBe(200);
    const res = await post("/api/auth/reset-password", { email: "ip-x@example.com" }, ip);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ code: "rate_limited" });
  });

  test("reset-password: per address from any IP — the same for unknown addresses, so it reveals nothing", async () => {
    const user = await seedUser(t);
    for (const email of [user.email, "ghost-limit@example.com"]) {
      const max = t.deps.config.rateLimits.resetPerAccount.max;
      for (let i = 0; i < max; i++) expect((await post("/api/auth/reset-password", { email })).status).toBe(200);
      const res = await post("/api/auth/reset-password", { email: email.toUpperCase() });
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBeTruthy();
    }
    t.clock.advance(t.deps.config.rateLimits.resetPerAccount.window * 1000);
    expect((await post("/api/auth/reset-password", { email: user.email })).status).toBe(200);
  });

  test("create-password: per IP, then 429 with Retry-After", async () => {
    const ip = freshIp();
    const max = t.deps.config.rateLimits.createPasswordPerIp.max;
    for (let i = 0; i < max; i++) expect((await setPassword("bogus", NEW_PASSWORD, NEW_PASSWORD, ip)).status).toBe(401);
    const res = await setPassword("bogus", NEW_PASSWORD, NEW_PASSWORD, ip);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("hostile input", () => {
  const resetBodies: [string, unknown][] = [
    ["no body", undefined],
    ["empty object", {}],
    ["email as number", { email: 5 }],
    ["email as array", { email: ["a@example.com"] }],
    ["email as object", { email: { $ne: null } }],
    ["huge email", { email: `${"a".repeat(5000)}@example.com` }],
    ["not an email", { email: "not-an-email" }],
    ["not JSON", "{email:"],
  ];
  for (const [name, body] of resetBodies) {
    test(`reset-password with ${name} → 400 JSON and no mail queued`, async () => {
      const before = await count("mail_outbox");
      const res = await post("/api/auth/reset-password", body);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/json");
      expect(((await res.json()) as { code: string }).code).toMatch(/invalid_input|invalid_email|invalid_body/);
      expect(await count("mail_outbox")).toBe(before);
    });
  }

  test("create-password with missing or wrong-typed fields → 400 naming the field; oversized → 413; nothing changes", async () => {
    const user = await seedUser(t);
    const token = await emailedToken(user.email);
    const hash = await passwordHash(user.id);
    const cases: [unknown, number, string?][] = [
      [{}, 400, "token"],
      [{ token }, 400, "password"],
      [{ token, password: NEW_PASSWORD }, 400, "confirm"],
      [{ token: 42, password: NEW_PASSWORD, confirm: NEW_PASSWORD }, 400, "token"],
      [{ token, password: [NEW_PASSWORD], confirm: NEW_PASSWORD }, 400, "password"],
      [{ token: "t".repeat(10_000), password: NEW_PASSWORD, confirm: NEW_PASSWORD }, 400, "token"],
      [{ token, password: "p".repeat(100_000), confirm: "p" }, 413],
      [["__proto__", token], 400],
    ];
    for (const [body, status, field] of cases) {
      const res = await post("/api/auth/create-password", body);
      expect(res.status).toBe(status);
      const json = (await res.json()) as { field?: string };
      if (field) expect(json.field).toBe(field);
    }
    expect(await passwordHash(user.id)).toBe(hash);
    expect((await setPassword(token)).status).toBe(200); // the link was never used up
  });
});

describe("setUserPassword (for the account page)", () => {
  test("keeps the caller's session, ends the others, enforces the policy and the confirmation", async () => {
    const user = await seedUser(t);
    const mine = await loginAs(t, user);
    const other = await loginAs(t, user);
    const options = { revoke: { except: mine.sessionId }, actor: `user:${user.id}`, ip: "192.0.2.1" };
    await expect(setUserPassword(t.deps, user.id, "short", options)).rejects.toMatchObject({ code: "weak_password" });
    await expect(setUserPassword(t.deps, user.id, NEW_PASSWORD, { ...options, confirm: "nope" })).rejects.toMatchObject(
      {
        code: "password_mismatch",
        field: "confirm",
      },
    );
    expect((await sessionRow(t, other.sessionId))?.revokedAt).toBeNull();

    await setUserPassword(t.deps, user.id, NEW_PASSWORD, { ...options, confirm: NEW_PASSWORD });
    expect((await sessionRow(t, mine.sessionId))?.revokedAt).toBeNull();
    expect((await sessionRow(t, other.sessionId))?.revokeReason).toBe("password_changed");
    const notice = await t.smtp.waitFor((m) => m.to.includes(user.email) && m.subject === "Your password was changed");
    expect(notice.text).toContain("192.0.2.1");
  });

  test("changing the password voids unused email links", async () => {
    const user = await seedUser(t);
    const token = await emailedToken(user.email);
    await setUserPassword(t.deps, user.id, NEW_PASSWORD, { revoke: "all", actor: "system" });
    expect((await setPassword(token, "yet another good passphrase")).status).toBe(401);
  });

  test("the stored hash is of the NFKC form, so the password verifies however it was typed", async () => {
    const user = await seedUser(t);
    await setUserPassword(t.deps, user.id, "ｆｕｌｌ ｗｉｄｔｈ ｐａｓｓｐｈｒａｓｅ", {
      revoke: "all",
      actor: "system",
    });
    const hash = (await passwordHash(user.id)) ?? "";
    expect(await t.deps.hasher.verify(hash, "full width passphrase")).toBe(true);
  });
});

test("no password or token appears in the logs or the audit log", async () => {
  const audit = await t.deps.db.orm.all<{ detail: string | null }>(sql`SELECT detail FROM audit_log`);
  const text = `${t.log.text()}\n${audit.map((a) => a.detail).join("\n")}`;
  expect(text).not.toContain(NEW_PASSWORD);
  expect(text).not.toContain("token=");
});
