// Queueing the mails seatkey sends: rendered from views/emails, sealed with SECRET_KEY (they carry
// one-time links) and written to mail_outbox. The sender (./sender.ts, started as deps.outbox)
// delivers them; queueing never waits for SMTP, so a mail server outage never fails or slows the
// change that caused it.
import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { mailOutbox } from "../../db/schema";
import { renderMail } from "../../views/emails/messages";
import type { Deps } from "../deps";
import { deleteInBatches } from "../lib/batches";
import { newId, seal } from "../lib/crypto";
import type { MailKind, MailRequest } from "./kinds";

type QueueDeps = Pick<Deps, "config" | "clock" | "keys">;

function outboxRow(deps: QueueDeps, mail: MailRequest) {
  const now = deps.clock.now();
  const { publicUrl, brandName, brandLogoUrl: logoUrl, supportEmail } = deps.config;
  const message = renderMail<MailKind>(mail.kind, mail.data, { publicUrl, brandName, logoUrl, supportEmail, now });
  return {
    id: newId(),
    to: mail.to,
    kind: mail.kind,
    messageSealed: seal(deps.keys.secretKey, JSON.stringify(message)),
    nextAttemptAt: now,
    createdAt: now,
  };
}

/**
 * Queues a mail inside the caller's open write transaction, so it is sent if and only if the
 * change that caused it commits. Returns the outbox id.
 */
export async function queueMailIn(tx: Tx, deps: Deps, mail: MailRequest): Promise<string> {
  const row = outboxRow(deps, mail);
  await tx.insert(mailOutbox).values(row);
  // Sent right after the commit; the poller is the safety net (and the only sender for a mail
  // queued in a nested savepoint, whose hooks the outer write does not see).
  deps.db.afterCommit(tx, () => deps.outbox.kick());
  return row.id;
}

/**
 * Queues a mail on its own and starts sending it in the background. Never throws: the change
 * that caused the mail has already happened, and a lost notice must not turn it into an error.
 */
export async function queueMail(deps: Deps, mail: MailRequest): Promise<void> {
  try {
    await deps.db.write((tx) => queueMailIn(tx, deps, mail));
  } catch (error) {
    deps.log.error("mail could not be queued", { kind: mail.kind, error: String(error) });
  }
}

/** Housekeeping: deletes mail sent before `before` (prune). */
export async function deleteSentMail(deps: Pick<Deps, "db">, before: number): Promise<number> {
  return deleteInBatches(
    deps,
    mailOutbox,
    mailOutbox.id,
    sql`${mailOutbox.sentAt} IS NOT NULL AND ${mailOutbox.sentAt} < ${before}`,
  );
}
