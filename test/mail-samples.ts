// One sample of every mail kind, shared by the template tests and the mail screenshots.
import type { MailRequest } from "../src/mail/kinds";

export const SAMPLE_LINK = "https://auth.example.com/create-password?token=tok_123";
const LINK = SAMPLE_LINK;

export const MAIL_SAMPLES: MailRequest[] = [
  { to: "a@example.com", kind: "set-password", data: { name: "Ada", link: LINK } },
  { to: "a@example.com", kind: "reset-password", data: { name: "Ada", link: LINK } },
  {
    to: "a@example.com",
    kind: "password-changed",
    data: { name: "Ada", time: "2030-01-01T12:30:00Z", ip: "203.0.113.9" },
  },
  {
    to: "a@example.com",
    kind: "session-revoked",
    data: { name: "Ada", device: "Firefox on Linux", revokedBy: "you", time: "1893501000000" },
  },
  { to: "a@example.com", kind: "reuse-detected", data: { name: "Ada", device: "curl/8", ip: "198.51.100.7" } },
  { to: "a@example.com", kind: "account-changed", data: { name: "Ada", changes: "email address, name" } },
  { to: "a@example.com", kind: "account-deleted", data: { name: "Ada" } },
  {
    to: "a@example.com",
    kind: "event-endpoint-disabled",
    data: { name: "Ada", url: "https://crm.example.com/hooks", reason: "every delivery failed since …" },
  },
];
