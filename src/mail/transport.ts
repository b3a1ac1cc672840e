// Where mail goes: SMTP through nodemailer, or — in development with no SMTP_URL — the console.
import type { Transporter } from "nodemailer";
import type { Config } from "../config";
import type { Logger } from "../lib/log";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  send(message: MailMessage): Promise<void>;
}

export function createMailTransport(config: Pick<Config, "smtpUrl" | "mailFrom">, log: Logger): MailTransport {
  if (!config.smtpUrl) {
    return {
      // Development: print the whole mail, links included, so every flow works without a server.
      async send(message) {
        console.log(`\n--- mail to ${message.to}: ${message.subject}\n${message.text}\n---\n`);
      },
    };
  }
  // nodemailer waits up to 2 min to connect and 10 min on a silent socket by default; the outbox
  // holds a claim (LOCK_MS, 2 min) while sending, so give up well before that and retry later.
  // Query parameters in SMTP_URL still override these.
  // nodemailer is loaded with the first mail, not at start: ~9 MB a serving process mostly never needs.
  const smtpUrl = config.smtpUrl;
  let transporter: Promise<Transporter> | undefined;
  const open = async () =>
    (await import("nodemailer")).default.createTransport({
      url: smtpUrl,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    });
  return {
    async send(message) {
      transporter ??= open().catch((error: unknown) => {
        transporter = undefined; // tried again with the next mail
        throw error;
      });
      await (await transporter).sendMail({ from: config.mailFrom, ...message });
      log.info("mail sent", { to: message.to, subject: message.subject });
    },
  };
}
