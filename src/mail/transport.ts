// Where mail goes: SMTP through nodemailer, or — in development with no SMTP_URL — the console.
import nodemailer from "nodemailer";
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
  const transporter = nodemailer.createTransport(config.smtpUrl);
  return {
    async send(message) {
      await transporter.sendMail({ from: config.mailFrom, ...message });
      log.info("mail sent", { to: message.to, subject: message.subject });
    },
  };
}
