// Sending the mails of SPEC §8. Callers say what happened; this module picks the template.
// (Foundation version: renders plain text and sends at once; the outbox issue makes it durable.)
import type { Deps } from "../deps";

export type MailKind =
  | "set-password"
  | "reset-password"
  | "password-changed"
  | "session-revoked"
  | "reuse-detected"
  | "account-changed"
  | "account-deleted";

export interface MailRequest {
  to: string;
  kind: MailKind;
  /** Template values: name, link, device, … (never a password). */
  data: Record<string, string | undefined>;
}

export async function queueMail(deps: Deps, mail: MailRequest): Promise<void> {
  const lines = Object.entries(mail.data).map(([k, v]) => `${k}: ${v ?? ""}`);
  try {
    await deps.mailer.send({ to: mail.to, subject: `seatkey: ${mail.kind}`, text: lines.join("\n"), html: "" });
  } catch (error) {
    deps.log.error("mail failed", { to: mail.to, kind: mail.kind, error: String(error) });
  }
}
