// Every mail (README "Passwords and email") renders HTML and plain text from views/emails, with links on PUBLIC_URL,
// escaped user values, and a next step for the reader. Delivered through real SMTP to check the MIME.
import { afterAll, describe, expect, test } from "bun:test";
import { MAIL_KINDS, type MailRequest } from "../src/mail/kinds";
import { queueMail } from "../src/mail/outbox";
import { formatTime, renderMail } from "../views/emails/messages";
import { createTestContext } from "./helpers";
import { MAIL_SAMPLES, SAMPLE_LINK } from "./mail-samples";

const PUBLIC = "https://auth.example.com";
const LINK = SAMPLE_LINK;
const ctx = { publicUrl: PUBLIC, now: Date.UTC(2030, 0, 1, 12, 30) };
const HOSTILE = `<script>alert("x")</script> & Co`;

const t = await createTestContext();
afterAll(() => t.close());

const samples = MAIL_SAMPLES;

describe("templates", () => {
  test("there is a sample for every mail kind", () => {
    expect(samples.map((s) => s.kind).sort()).toEqual([...MAIL_KINDS].sort());
  });

  for (const mail of samples) {
    test(`${mail.kind}: HTML and text both greet by name, carry the same PUBLIC_URL links and a subject`, () => {
      const out = renderMail(mail.kind, mail.data, ctx);
      expect(out.subject.length).toBeGreaterThan(5);
      expect(out.text).toContain("Hi Ada,");
      expect(out.html).toContain("Hi Ada,");
      expect(out.html.startsWith('<!doctype html><html lang="en">')).toBe(true);
      const textLinks = out.text.match(/https?:\/\/[^\s)]+?(?=[.,]?(\s|$|\)))/g) ?? [];
      const htmlLinks = [...out.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));
      for (const link of [...textLinks, ...htmlLinks]) expect(link.startsWith(`${PUBLIC}/`)).toBe(true);
      expect(new Set(htmlLinks)).toEqual(new Set(textLinks));
    });
  }

  test("set-password and reset-password carry the one-time link as the main action", () => {
    for (const kind of ["set-password", "reset-password"] as const) {
      const out = renderMail(kind, { name: "Ada", link: LINK }, ctx);
      expect(out.text).toContain(LINK);
      expect(out.html).toContain(`href="${LINK}"`);
      expect(out.text).toContain("30 minutes");
    }
  });

  test("security notices tell the reader what to do if it wasn't them", () => {
    for (const kind of ["password-changed", "session-revoked", "reuse-detected", "account-changed"] as const) {
      const out = renderMail(kind, { name: "Ada" }, ctx);
      expect(out.text).toContain(`${PUBLIC}/reset-password`);
    }
  });

  test("details appear in both versions; a missing time is the time the mail was queued", () => {
    const out = renderMail("reuse-detected", { name: "Ada", device: "curl/8", ip: "198.51.100.7" }, ctx);
    for (const body of [out.text, out.html]) {
      expect(body).toContain("curl/8");
      expect(body).toContain("198.51.100.7");
      expect(body).toContain("Tue, 01 Jan 2030 12:30:00 GMT");
    }
  });

  test("user values are escaped in HTML and kept verbatim in text", () => {
    const out = renderMail("session-revoked", { name: HOSTILE, device: HOSTILE, revokedBy: "you" }, ctx);
    expect(out.html).not.toContain("<script>");
    expect(out.html).toContain("&lt;script&gt;");
    expect(out.text).toContain(HOSTILE);
  });

  test("a set or reset mail without its link is refused (a programming error, not a silent blank mail)", () => {
    expect(() => renderMail("set-password", { name: "Ada", link: "" }, ctx)).toThrow("data.link");
  });

  test("formatTime reads ISO strings and Unix ms, falls back to now, and shows anything else as given", () => {
    expect(formatTime("2030-01-01T00:00:00Z", 0)).toBe("Tue, 01 Jan 2030 00:00:00 GMT");
    expect(formatTime("1893456000000", 0)).toBe("Tue, 01 Jan 2030 00:00:00 GMT");
    expect(formatTime(undefined, Date.UTC(2030, 0, 1))).toBe("Tue, 01 Jan 2030 00:00:00 GMT");
    expect(formatTime("yesterday-ish", 0)).toBe("yesterday-ish");
  });
});

describe("delivery", () => {
  test("every kind arrives over SMTP as multipart HTML + text from MAIL_FROM to the user", async () => {
    for (const mail of samples) await queueMail(t.deps, { ...mail, to: `${mail.kind}@example.com` } as MailRequest);
    for (const mail of samples) {
      const got = await t.smtp.waitFor((m) => m.to.includes(`${mail.kind}@example.com`));
      expect(got.html).toContain("Hi Ada,");
      expect(got.text).toContain("Hi Ada,");
      expect(got.raw.from?.text).toContain("no-reply@seatkey.test");
    }
  });
});

describe("brand, headings and truthful advice", () => {
  const branded = { ...ctx, brandName: "Acme Studio", logoUrl: "https://cdn.example.com/logo.png" };

  test("every mail has the brand (BRAND_NAME, else the host) and a heading in both versions", () => {
    for (const mail of samples) {
      const plain = renderMail(mail.kind, mail.data, ctx);
      expect(plain.html).toContain(">auth.example.com</span>");
      expect(plain.html).toMatch(/<h1 [^>]*>[^<]{5,}<\/h1>/);
      const out = renderMail(mail.kind, mail.data, branded);
      expect(out.html).toContain(">Acme Studio</span>");
      expect(out.html).toContain('src="https://cdn.example.com/logo.png"');
      expect(out.text.startsWith("ACME STUDIO\n\n")).toBe(true);
      expect(out.text).toContain("Sent by Acme Studio.");
    }
  });

  test("mails carry dark-mode styles for clients that honour them", () => {
    const out = renderMail("reset-password", { name: "Ada", link: LINK }, ctx);
    expect(out.html).toContain('<meta name="color-scheme" content="light dark"');
    expect(out.html).toContain("@media (prefers-color-scheme: dark)");
  });

  test("the old address after an email change is not told to reset (the link would go to the new address)", () => {
    const data = { name: "Ada", changes: "email address", movedTo: "new@example.com" };
    const withSupport = renderMail("account-changed", data, { ...ctx, supportEmail: "help@acme.example" });
    expect(withSupport.text).toContain("new@example.com");
    expect(withSupport.text).toContain("write to help@acme.example right away");
    expect(withSupport.text).not.toContain("reset your password at");
    expect(withSupport.text).toContain("used this address until now");
    const noSupport = renderMail("account-changed", data, ctx);
    expect(noSupport.text).toContain("contact the seller you bought your license from");
    expect(noSupport.text).not.toContain("contact support");
  });

  test("the deleted-account mail does not claim the reader still has an account", () => {
    const out = renderMail("account-deleted", { name: "Ada" }, ctx);
    expect(out.text).not.toContain("because you have an account there");
    expect(out.text).toContain("used this address until now");
  });

  test("an IP address is shown only when it is one (a forwarded header can carry any text)", () => {
    const hostile = renderMail("reuse-detected", { name: "Ada", ip: "https://evil.example/claim" }, ctx);
    expect(hostile.text).not.toContain("evil.example");
    expect(hostile.text).toContain("IP address: unknown");
    const mapped = renderMail("reuse-detected", { name: "Ada", ip: "::ffff:198.51.100.7" }, ctx);
    expect(mapped.text).toContain("IP address: 198.51.100.7");
    const changed = renderMail("password-changed", { name: "Ada", ip: "<b>x0</b>" }, ctx);
    expect(changed.text).not.toContain("x0");
  });
});
