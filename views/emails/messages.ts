// What each mail says. Every mail tells the reader what to do next, and every security notice
// says how to react when it wasn't them. Links are built from PUBLIC_URL.
import type { MailDataByKind, MailKind } from "../../src/mail/kinds";
import { type EmailContent, type Paragraph, type RenderedEmail, renderEmail } from "./layout";

export interface MailContext {
  /** config.publicUrl, without a trailing slash. */
  publicUrl: string;
  /** When the mail is queued (Unix ms): the default for a missing time. */
  now: number;
}

type Text = string | null | undefined;
type Build<K extends MailKind> = (
  data: MailDataByKind[K],
  ctx: MailContext,
  site: string,
) => Omit<EmailContent, "site">;

const LINK_LIFETIME = "It works once, for 30 minutes.";

/** "2030-01-01T00:00:00.000Z", "1893456000000" or nothing → "Tue, 01 Jan 2030 00:00:00 GMT". */
export function formatTime(value: Text, now: number): string {
  const text = value?.trim();
  if (!text) return new Date(now).toUTCString();
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toUTCString() : text;
}

const greet = (name: Text) => `Hi ${name?.trim() || "there"},`;
const resetLink = (ctx: MailContext) => ({ url: `${ctx.publicUrl}/reset-password` });
const accountLink = (ctx: MailContext) => ({ url: `${ctx.publicUrl}/account` });
const notYou = (ctx: MailContext): Paragraph => [
  "If this wasn't you, reset your password now at ",
  resetLink(ctx),
  " — that signs out every device — and review your devices at ",
  accountLink(ctx),
  ".",
];

function required(value: Text, field: string, kind: MailKind): string {
  if (!value) throw new Error(`mail ${kind} needs data.${field}`);
  return value;
}

const TEMPLATES: { [K in MailKind]: Build<K> } = {
  "set-password": (d, ctx, site) => ({
    subject: `Set your password for ${site}`,
    preview: "Choose a password to start using your account.",
    greeting: greet(d.name),
    intro: [[`An account has been created for you at ${site}. Choose a password to start using it.`]],
    action: { label: "Set your password", url: required(d.link, "link", "set-password") },
    outro: [
      [`${LINK_LIFETIME} If it has expired, ask for a new one at `, resetLink(ctx), "."],
      ["If you weren't expecting this email, you can ignore it."],
    ],
  }),
  "reset-password": (d, ctx, site) => ({
    subject: `Reset your password for ${site}`,
    preview: "Use this link to choose a new password.",
    greeting: greet(d.name),
    intro: [["We received a request to reset the password of your account. Choose a new one here:"]],
    action: { label: "Choose a new password", url: required(d.link, "link", "reset-password") },
    outro: [
      [
        `${LINK_LIFETIME} Setting a new password signs out every device. Need another link? Go to `,
        resetLink(ctx),
        ".",
      ],
      ["If you didn't ask for this, ignore this email: your password stays the same."],
    ],
  }),
  "password-changed": (d, ctx) => ({
    subject: "Your password was changed",
    preview: "If this wasn't you, reset your password now.",
    greeting: greet(d.name),
    intro: [["The password of your account was just changed."]],
    details: [
      { label: "When", value: formatTime(d.time, ctx.now) },
      ...(d.ip ? [{ label: "From IP address", value: d.ip }] : []),
    ],
    outro: [["If this was you, there is nothing else to do."], notYou(ctx)],
  }),
  "session-revoked": (d, ctx) => ({
    subject: "A device was signed out of your account",
    preview: "A device was signed out. If that wasn't expected, check your account.",
    greeting: greet(d.name),
    intro: [["A device was signed out of your account. It has to sign in again to keep working."]],
    details: [
      { label: "Device", value: d.device?.trim() || "Unknown device" },
      { label: "Signed out by", value: d.revokedBy?.trim() || "an administrator" },
      { label: "When", value: formatTime(d.time, ctx.now) },
    ],
    outro: [["If you did this, there is nothing else to do."], notYou(ctx)],
  }),
  "reuse-detected": (d, ctx) => ({
    subject: "Security alert: we signed out one of your devices",
    preview: "An old sign-in token was used again, so we ended that session.",
    greeting: greet(d.name),
    intro: [
      [
        "An old sign-in token of one of your devices was used again. That can mean it was copied, so we signed that device out to protect your account.",
      ],
    ],
    details: [
      { label: "Device", value: d.device?.trim() || "Unknown device" },
      { label: "IP address", value: d.ip?.trim() || "unknown" },
      { label: "When", value: formatTime(d.time, ctx.now) },
    ],
    outro: [
      ["If you still use that device, simply sign in on it again."],
      ["If anything looks unfamiliar, reset your password at ", resetLink(ctx), " — that signs out every device."],
    ],
  }),
  "account-changed": (d, ctx) => ({
    subject: "Your account details were changed",
    preview: "Some details of your account were changed.",
    greeting: greet(d.name),
    intro: [["Some details of your account were changed."]],
    details: [
      { label: "What changed", value: d.changes?.trim() || "account details" },
      { label: "When", value: formatTime(d.time, ctx.now) },
    ],
    outro: [
      ["You can see your account at ", accountLink(ctx), "."],
      ["If you didn't expect this change, reset your password at ", resetLink(ctx), " and contact support."],
    ],
  }),
  "account-deleted": (d) => ({
    subject: "Your account was deleted",
    preview: "Your account and its sign-ins have been removed.",
    greeting: greet(d.name),
    intro: [["Your account has been deleted and every device signed in to it was signed out."]],
    outro: [["If you think this is a mistake, contact the support of the store where you bought your license."]],
  }),
  "event-endpoint-disabled": (d) => ({
    subject: "An event endpoint was disabled",
    preview: "Its deliveries kept failing, so seatkey stopped sending events to it.",
    greeting: greet(d.name),
    intro: [["Deliveries to one of your event endpoints kept failing for days, so seatkey disabled it."]],
    details: [
      // Without its scheme: the mail links only to this server.
      { label: "Endpoint", value: required(d.url, "url", "event-endpoint-disabled").replace(/^https?:\/\//, "") },
      { label: "Why", value: d.reason?.trim() || "deliveries kept failing" },
    ],
    outro: [
      [
        "Fix the receiver, then enable the endpoint again (PATCH /api/admin/event-endpoints/<id> with enabled: true); events that have not been given up are sent then, and failed ones can be replayed.",
      ],
    ],
  }),
};

/** Renders a mail of `kind`: subject, HTML and plain text. Throws when required data is missing. */
export function renderMail<K extends MailKind>(kind: K, data: MailDataByKind[K], ctx: MailContext): RenderedEmail {
  const site = new URL(ctx.publicUrl).host;
  const build = TEMPLATES[kind] as Build<K>;
  return renderEmail({ ...build(data, ctx, site), site });
}
