// The durable mail outbox: sealed at rest, sent once, retried with back-off, never blocking the caller.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { mailOutbox, users } from "../db/schema";
import type { Deps } from "../src/deps";
import { newId } from "../src/lib/crypto";
import { queueMail, queueMailIn } from "../src/mail/outbox";
import { backoffMs, flushOutbox, LOCK_MS, MAX_ATTEMPTS, processOutbox, startMailWorker } from "../src/mail/sender";
import { createTestContext } from "./helpers";
import { runToEnd } from "./run-to-end";

const t = await createTestContext();
afterAll(() => t.close());

const outbox = () => t.deps.db.orm.select().from(mailOutbox);
const received = (to: string) => t.smtp.messages.filter((m) => m.to.includes(to));
const resetMail = (to: string, link = "http://localhost:3000/create-password?token=SECRET-TOKEN-123") =>
  ({ to, kind: "reset-password", data: { name: "Ada", link } }) as const;

const ROOT = new URL("..", import.meta.url).pathname;

/** Runs `bun <args>` as another seatkey process on this test's database, SMTP server and keys. */
async function runBun(args: string[], deps: Deps): Promise<string> {
  const c = deps.config;
  const env = { PATH: process.env.PATH, NODE_ENV: "test", PUBLIC_URL: c.publicUrl, DATABASE_URL: c.databaseUrl };
  const keys = { SMTP_URL: c.smtpUrl, SECRET_KEY: c.secretKey, JWT_PRIVATE_KEY: c.jwtPrivateKey };
  const {
    code: status,
    stdout: out,
    stderr: err,
  } = await runToEnd([process.execPath, ...args], {
    cwd: ROOT,
    env: { ...env, ...keys },
  });
  if (status !== 0) throw new Error(`bun ${args[0]} failed: ${err}`);
  return out;
}

/** Another seatkey process draining the same outbox, two mails per claim; resolves with how many it sent. */
async function senderProcess(deps: Deps): Promise<number> {
  const code = `
    import { buildDeps } from "${ROOT}src/boot";
    import { loadConfig } from "${ROOT}src/config";
    import { processOutbox } from "${ROOT}src/mail/sender";
    const deps = await buildDeps(loadConfig(process.env), { migrate: false });
    let sent = 0;
    for (let run = await processOutbox(deps, 2); run.claimed > 0; run = await processOutbox(deps, 2)) sent += run.sent;
    deps.db.close();
    console.log(sent);`;
  const out = await runBun(["-e", code], deps);
  return Number(out.trim().split("\n").pop());
}

/** Waits until the background sender has nothing due (kicks are fire-and-forget). */
async function settle() {
  await flushOutbox(t.deps);
}

beforeEach(async () => {
  await settle();
  t.smtp.setFailing(false);
  t.smtp.messages.length = 0;
  await t.deps.db.write((tx) => tx.delete(mailOutbox));
});

describe("queueing", () => {
  test("queueMail stores the message sealed — no link or token in plaintext at rest — and sends it", async () => {
    await queueMail(t.deps, resetMail("sealed@example.com"));
    const [row] = await outbox();
    expect(row?.kind).toBe("reset-password");
    expect(row?.messageSealed).not.toContain("SECRET-TOKEN-123");
    expect(JSON.stringify(row)).not.toContain("create-password");
    const mail = await t.smtp.waitFor((m) => m.to.includes("sealed@example.com"));
    expect(mail.text).toContain("SECRET-TOKEN-123");
    await settle();
    const [sent] = await outbox();
    expect(sent?.sentAt).toBe(t.clock.now());
    expect(sent?.attempts).toBe(0);
  });

  test("queueMailIn is atomic with the caller's change: a rolled-back write queues nothing", async () => {
    const failing = t.deps.db.write(async (tx) => {
      await queueMailIn(tx, t.deps, resetMail("rolled-back@example.com"));
      throw new Error("the change failed");
    });
    expect(failing).rejects.toThrow("the change failed");
    await failing.catch(() => {});
    await Bun.sleep(50);
    await settle();
    expect(await outbox()).toHaveLength(0);
    expect(received("rolled-back@example.com")).toHaveLength(0);
  });

  test("queueMailIn sends once the caller's transaction commits", async () => {
    const id = newId();
    await t.deps.db.write(async (tx) => {
      await tx
        .insert(users)
        .values({ id, email: `${id.toLowerCase()}@example.com`, name: "N", createdAt: 1, updatedAt: 1 });
      await queueMailIn(tx, t.deps, resetMail("committed@example.com"));
    });
    await t.smtp.waitFor((m) => m.to.includes("committed@example.com"));
    await t.deps.db.write((tx) => tx.delete(users).where(eq(users.id, id)));
  });

  test("queueing never waits for SMTP and never throws, even while the mail server is down", async () => {
    t.smtp.setFailing(true);
    const started = performance.now();
    await queueMail(t.deps, resetMail("outage@example.com"));
    expect(performance.now() - started).toBeLessThan(200);
    // A broken request (missing link) is logged, not thrown at the caller.
    await queueMail(t.deps, { to: "x@example.com", kind: "set-password", data: { name: "X", link: "" } });
    expect(t.log.text()).toContain("mail could not be queued");
  });
});

describe("sending", () => {
  test("an SMTP outage loses nothing: failed sends back off, then go out exactly once when SMTP is back", async () => {
    t.smtp.setFailing(true);
    await queueMail(t.deps, resetMail("retry@example.com"));
    await settle();
    let [row] = await outbox();
    expect(row?.attempts).toBe(1);
    expect(row?.sentAt).toBeNull();
    expect(row?.nextAttemptAt).toBe(t.clock.now() + backoffMs(1));
    expect(row?.lastError).toContain("421");
    expect(t.log.text()).not.toContain("SECRET-TOKEN-123");

    t.smtp.setFailing(false);
    expect((await processOutbox(t.deps)).claimed).toBe(0); // not due yet
    t.clock.advance(backoffMs(1));
    expect(await processOutbox(t.deps)).toEqual({ claimed: 1, sent: 1, failed: 0 });
    expect(await processOutbox(t.deps)).toEqual({ claimed: 0, sent: 0, failed: 0 });
    expect(received("retry@example.com")).toHaveLength(1);
    [row] = await outbox();
    expect(row?.sentAt).not.toBeNull();
    expect(row?.lastError).toBeNull();
  });

  test("back-off doubles from 30 s and is capped at an hour", () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(backoffMs(MAX_ATTEMPTS)).toBe(3_600_000);
  });

  test("after MAX_ATTEMPTS failures a mail is given up, loudly, and never retried", async () => {
    t.smtp.setFailing(true);
    await queueMail(t.deps, resetMail("doomed@example.com"));
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
      await settle();
      t.clock.advance(backoffMs(MAX_ATTEMPTS));
    }
    const [row] = await outbox();
    expect(row?.attempts).toBe(MAX_ATTEMPTS);
    expect(row?.sentAt).toBeNull();
    expect(t.log.lines.some((l) => l.level === "error" && l.message.includes("GIVEN UP"))).toBe(true);
    t.smtp.setFailing(false);
    t.clock.advance(backoffMs(MAX_ATTEMPTS));
    expect((await processOutbox(t.deps)).claimed).toBe(0);
  });

  test("several processes sending at once send each mail exactly once", async () => {
    t.clock.set(Date.now()); // the child processes run on the system clock
    t.smtp.setFailing(true); // keep the kicks from sending: the senders below race for the rows
    for (let i = 0; i < 30; i++) await queueMail(t.deps, resetMail(`race-${i}@example.com`));
    await settle();
    t.smtp.setFailing(false);
    await t.deps.db.write((tx) => tx.update(mailOutbox).set({ nextAttemptAt: t.clock.now() }));
    const children = [1, 2, 3].map(() => senderProcess(t.deps));
    let inProcess = 0;
    for (let run = await processOutbox(t.deps, 2); run.claimed > 0; run = await processOutbox(t.deps, 2)) {
      inProcess += run.sent;
    }
    const sentByChildren = (await Promise.all(children)).reduce((a, b) => a + b, 0);
    for (let i = 0; i < 30; i++) expect(received(`race-${i}@example.com`)).toHaveLength(1);
    expect(inProcess + sentByChildren).toBe(30);
    expect((await outbox()).every((r) => r.sentAt !== null)).toBe(true);
  }, 20_000);

  test("a claimed row is skipped by other senders until its lock expires (a crashed sender's mail is retried)", async () => {
    t.smtp.setFailing(true);
    await queueMail(t.deps, resetMail("locked@example.com"));
    await settle();
    t.clock.advance(backoffMs(1));
    const now = t.clock.now();
    await t.deps.db.write((tx) => tx.update(mailOutbox).set({ lockedUntil: now + LOCK_MS }));
    t.smtp.setFailing(false);
    expect((await processOutbox(t.deps)).claimed).toBe(0);
    t.clock.advance(LOCK_MS);
    expect((await processOutbox(t.deps)).sent).toBe(1);
  });

  test("a message sealed with another SECRET_KEY is given up at once", async () => {
    await t.deps.db.write((tx) =>
      tx.insert(mailOutbox).values({
        id: newId(),
        to: "garbled@example.com",
        kind: "reset-password",
        messageSealed: "not-a-sealed-message",
        nextAttemptAt: t.clock.now(),
        createdAt: t.clock.now(),
      }),
    );
    await processOutbox(t.deps);
    const [row] = await outbox();
    expect(row?.attempts).toBe(MAX_ATTEMPTS);
    expect(row?.lastError).toContain("cannot unseal");
  });

  test("the worker picks up mail queued elsewhere (e.g. by another process) and stops cleanly", async () => {
    t.smtp.setFailing(true);
    await queueMail(t.deps, resetMail("polled@example.com"));
    await settle();
    t.smtp.setFailing(false);
    t.clock.advance(backoffMs(1));
    const worker = startMailWorker(t.deps, 20);
    await t.smtp.waitFor((m) => m.to.includes("polled@example.com"));
    await worker.stop();
    expect(received("polled@example.com")).toHaveLength(1);
  });
});

describe("short-lived scripts", () => {
  test("create-admin's set-password mail has left by the time the script exits", async () => {
    const out = await runBun(["scripts/create-admin.ts", "root@example.com", "Root"], t.deps);
    const link = /http:\/\/localhost:3000\/create-password\?token=\S+/.exec(out)?.[0];
    expect(link).toBeDefined();
    // No waiting: the mail is already in the SMTP server's hands.
    const mail = t.smtp.messages.find((m) => m.to.includes("root@example.com"));
    expect(mail?.subject).toContain("Set your password");
    expect(mail?.text).toContain(link ?? "?");
    expect((await outbox()).find((r) => r.to === "root@example.com")?.sentAt).not.toBeNull();
  });
});
