// Mail delivery end to end (README "Passwords and email"): a burst of POST /api/auth/reset-password while the SMTP server
// is down (connection refused) answers 200 at once and loses nothing: once SMTP is back, every
// mail goes out exactly once, and its one-time link still works.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mailOutbox } from "../db/schema";
import { backoffMs, flushOutbox } from "../src/mail/sender";
import { createMailTransport } from "../src/mail/transport";
import { seedUser } from "./fixtures";
import { createTestContext, type TestContext } from "./helpers";
import { freePort, until } from "./process-helpers";
import { linkIn, type ReceivedMail } from "./smtp";

const USERS = 12;
let t: TestContext;

beforeAll(async () => {
  t = await createTestContext({ env: { RATE_LIMIT_RESET_IP_MAX: "1000" } });
});
afterAll(async () => {
  await t.close();
});

const pending = async () => (await t.deps.db.orm.select().from(mailOutbox)).filter((row) => row.sentAt === null);

describe("mail during an SMTP outage", () => {
  test("a burst of resets while SMTP is down: all 200, all queued, each mailed once when it is back, links work", async () => {
    const users = await Promise.all(
      Array.from({ length: USERS }, (_, i) => seedUser(t, { email: `reset-${i}@example.com` })),
    );
    const working = t.deps.mailer;
    // The SMTP server is down: nothing listens on its port.
    t.deps.mailer = createMailTransport(
      { smtpUrl: `smtp://127.0.0.1:${freePort()}`, mailFrom: t.deps.config.mailFrom },
      t.log,
    );

    const answers = await Promise.all(
      users.map((u) => t.request("POST", "/api/auth/reset-password", { body: { email: u.email } })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(USERS).fill(200));
    // The background sender tried each one, failed, and scheduled a retry; nothing was dropped.
    await until(async () => (await pending()).filter((row) => row.attempts >= 1).length === USERS, 10_000);
    await flushOutbox(t.deps);
    const failed = await pending();
    expect(failed).toHaveLength(USERS);
    for (const row of failed) expect(row.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(t.smtp.messages).toHaveLength(0);

    // SMTP is back; the retries fall due.
    t.deps.mailer = working;
    t.clock.advance(backoffMs(1) + 1);
    const run = await flushOutbox(t.deps);
    expect(run).toEqual({ sent: USERS, failed: 0 });
    expect(await pending()).toHaveLength(0);
    expect((await flushOutbox(t.deps)).sent).toBe(0);
    const recipients = t.smtp.messages.map((m) => m.to).sort();
    expect(recipients).toEqual(users.map((u) => u.email).sort());

    // A retried mail's link is as good as the first try would have been.
    const [mail] = t.smtp.messages as [ReceivedMail];
    const token = new URL(linkIn(mail, `${t.deps.config.publicUrl}/create-password`)).searchParams.get("token");
    const password = "a brand new passphrase after the outage";
    const reset = await t.request("POST", "/api/auth/create-password", {
      body: { token, password, confirm: password },
    });
    expect(reset.status).toBe(200);
  });
});
