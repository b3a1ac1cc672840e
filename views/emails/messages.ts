// What each mail says. Every mail tells the reader what to do next, and every security notice
// says how to react when it wasn't them. Links are built from PUBLIC_URL.
import { isIP } from "node:net";
import type { MailDataByKind, MailKind } from "../../src/mail/kinds";
import { type EmailContent, type Paragraph, type RenderedEmail, renderEmail } from "./layout";

export interface MailContext {
  /** config.publicUrl, without a trailing slash. */
  publicUrl: string;
  /** When the mail is queued (Unix ms): the default for a missing time. */
  now: number;
  /** BRAND_NAME; the host of publicUrl when unset. */
  brandName?: string;
  /** BRAND_LOGO_URL. */
  logoUrl?: string;
  /** SUPPORT_EMAIL: named wherever a reader may need a person. */
  supportEmail?: string;
}

type Text = string | null | undefined;
type Build<K extends MailKind> = (
  data: MailDataByKind[K],
  ctx: MailContext,
  site: string,
) => Omit<EmailContent, "site" | "logoUrl" | "reason"> & { reason?: string };

const ACCOUNT_REASON = "You get this email because your account there uses this address.";

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

/** Only a real IP address is shown: a forwarded header can carry any text (a URL, a sentence). */
function ipText(value: Text): string {
  const ip = value?.trim().replace(/^::ffff:(?=\d+\.)/, "");
  return ip && isIP(ip) ? ip : "unknown";
}

/** Who to write to when something is wrong that a password reset cannot fix. */
function askForHelp(ctx: MailContext): string {
  return ctx.supportEmail
    ? `write to ${ctx.supportEmail} right away`
    : "contact the seller you bought your license from right away";
}

function required(value: Text, field: string, kind: MailKind): string {
  if (!value) throw new Error(`mail ${kind} needs data.${field}`);
  return value;
}

const TEMPLATES: { [K in MailKind]: Build<K> } = {
  "set-password": (d, ctx, site) => ({
    subject: `Set your password for ${site}`,
    preview: "Choose a password to start using your account.",
    heading: "Welcome — set your password",
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
    heading: "Reset your password",
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
    heading: "Your password was changed",
    greeting: greet(d.name),
    intro: [["The password of your account was just changed."]],
    details: [
      { label: "When", value: formatTime(d.time, ctx.now) },
      ...(d.ip && ipText(d.ip) !== "unknown" ? [{ label: "From IP address", value: ipText(d.ip) }] : []),
    ],
    outro: [["If this was you, there is nothing else to do."], notYou(ctx)],
  }),
  "session-revoked": (d, ctx) => ({
    subject: "A device was signed out of your account",
    preview: "A device was signed out. If that wasn't expected, check your account.",
    heading: "A device was signed out",
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
    heading: "We signed out one of your devices",
    greeting: greet(d.name),
    intro: [
      [
        "An old sign-in token of one of your devices was used again. That can mean it was copied, so we signed that device out to protect your account.",
      ],
    ],
    details: [
      { label: "Device", value: d.device?.trim() || "Unknown device" },
      { label: "IP address", value: ipText(d.ip) },
      { label: "When", value: formatTime(d.time, ctx.now) },
    ],
    outro: [
      ["If you still use that device, simply sign in on it again."],
      ["If anything looks unfamiliar, reset your password at ", resetLink(ctx), " — that signs out every device."],
    ],
  }),
  "account-changed": (d, ctx, site) => (d.movedTo?.trim() ? emailMovedAway(d, ctx, site) : accountChanged(d, ctx)),
  "account-deleted": (d, ctx, site) => ({
    subject: "Your account was deleted",
    preview: "Your account and its sign-ins have been removed.",
    heading: "Your account was deleted",
    greeting: greet(d.name),
    intro: [["Your account has been deleted and every device signed in to it was signed out."]],
    outro: [[`If you think this is a mistake, ${askForHelp(ctx)}.`]],
    reason: `You get this email because your account at ${site} used this address until now.`,
  }),
  "event-endpoint-disabled": (d, _ctx, site) => ({
    subject: "An event endpoint was disabled",
    preview: "Its deliveries kept failing, so events are no longer sent to it.",
    heading: "An event endpoint was disabled",
    greeting: greet(d.name),
    intro: [["Deliveries to one of your event endpoints kept failing for days, so it was disabled."]],
    details: [
      // Without its scheme: the mail links only to this server.
      { label: "Endpoint", value: required(d.url, "url", "event-endpoint-disabled").replace(/^https?:\/\//, "") },
      { label: "Why", value: d.reason?.trim() || "deliveries kept failing" },
    ],
    outro: [
      [
        "Fix the receiver, then enable the endpoint again (PATCH /api/admin/event-endpoints/<id> with enabled: true): deliveries not yet given up are sent then, and failed ones can be replayed.",
      ],
    ],
    reason: `You get this email because you are an administrator of ${site}.`,
  }),
};

function accountChanged(d: MailDataByKind["account-changed"], ctx: MailContext) {
  return {
    subject: "Your account details were changed",
    preview: "Some details of your account were changed.",
    heading: "Your account details were changed",
    greeting: greet(d.name),
    intro: [["Some details of your account were changed."]],
    details: [
      { label: "What changed", value: d.changes?.trim() || "account details" },
      { label: "When", value: formatTime(d.time, ctx.now) },
    ],
    outro: [
      ["You can see your account at ", accountLink(ctx), "."],
      ["If you didn't expect this change, reset your password at ", resetLink(ctx), " — that signs out every device."],
    ],
  };
}

/**
 * To the old address after an email change. A reset from here would mail the link to the new
 * address, so the mail must not suggest one: the reader needs a person.
 */
function emailMovedAway(d: MailDataByKind["account-changed"], ctx: MailContext, site: string) {
  return {
    subject: "The email address of your account was changed",
    preview: "Your account now uses another email address.",
    heading: "Your account moved to another address",
    greeting: greet(d.name),
    intro: [[`Your account at ${site} now uses another email address, and mail about it goes there.`]],
    details: [
      { label: "New address", value: d.movedTo?.trim() ?? "" },
      { label: "When", value: formatTime(d.time, ctx.now) },
    ],
    outro: [
      ["If you asked for this, there is nothing else to do."],
      [
        `If you didn't, ${askForHelp(ctx)}: a password reset from this address would send its link to the new one. You can still check the devices signed in at `,
        accountLink(ctx),
        " until your password is changed.",
      ],
    ],
    reason: `You get this email because your account at ${site} used this address until now.`,
  };
}

/** Renders a mail of `kind`: subject, HTML and plain text. Throws when required data is missing. */
export function renderMail<K extends MailKind>(kind: K, data: MailDataByKind[K], ctx: MailContext): RenderedEmail {
  const site = ctx.brandName ?? new URL(ctx.publicUrl).host;
  const build = TEMPLATES[kind] as Build<K>;
  const { reason = ACCOUNT_REASON, ...content } = build(data, ctx, site);
  return renderEmail({ ...content, site, logoUrl: ctx.logoUrl, reason });
}
