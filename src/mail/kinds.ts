// The mails seatkey sends (README "Passwords and email") and the data each one needs. Extra fields are allowed and
// ignored, so callers can pass what they have; a missing time means "when it was queued".
export const MAIL_KINDS = [
  "set-password",
  "reset-password",
  "password-changed",
  "session-revoked",
  "reuse-detected",
  "account-changed",
  "account-deleted",
  "event-endpoint-disabled",
] as const;

export type MailKind = (typeof MAIL_KINDS)[number];

type Text = string | null | undefined;
type Extra = Record<string, Text>;

export interface MailDataByKind {
  /** link: the one-time /create-password link (createPasswordLink). */
  "set-password": { name: string; link: string } & Extra;
  "reset-password": { name: string; link: string } & Extra;
  "password-changed": { name: string; time?: Text; ip?: Text } & Extra;
  /** revokedBy: who did it, e.g. "you", "an administrator". */
  "session-revoked": { name: string; device?: Text; revokedBy?: Text; time?: Text } & Extra;
  "reuse-detected": { name: string; device?: Text; ip?: Text; time?: Text } & Extra;
  /** changes: a human list of what changed, e.g. "email address, name"; movedTo: set on the mail
   * to the old address after an email change (the new address). */
  "account-changed": { name: string; changes?: Text; movedTo?: Text } & Extra;
  "account-deleted": { name: string } & Extra;
  /** To each active admin: an event endpoint stopped receiving events. */
  "event-endpoint-disabled": { name: string; url: string; reason?: Text } & Extra;
}

export type MailRequestOf<K extends MailKind> = { to: string; kind: K; data: MailDataByKind[K] };
export type MailRequest = { [K in MailKind]: MailRequestOf<K> }[MailKind];
