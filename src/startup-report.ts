// What a development start did, said once in plain words for the person at the terminal:
// the database (created or reused), the signing key (generated where), where mail goes, and
// the next step. Production logs only the structured "listening" line.
import { existsSync } from "node:fs";
import type { Config } from "./config";

export interface StartFacts {
  /** The local database file did not exist before this start. */
  newDatabase: boolean;
  /** The development key file was created by this start. */
  newKeyFile: boolean;
}

const localPath = (url: string) => (url.startsWith("file:") ? url.slice("file:".length) : undefined);

/** Read before the database and keys are opened (opening creates them). */
export function startFacts(config: Config): StartFacts {
  const file = localPath(config.databaseUrl);
  return {
    newDatabase: file !== undefined && !existsSync(file),
    newKeyFile: !config.jwtPrivateKey && !existsSync(config.devKeyFile),
  };
}

export function developmentReport(config: Config, facts: StartFacts): string {
  const file = localPath(config.databaseUrl);
  const database = file
    ? `${file} — ${facts.newDatabase ? "created and migrated" : "migrated (up to date)"}`
    : "remote libSQL server — migrated (up to date)";
  const keys = config.jwtPrivateKey
    ? "from JWT_PRIVATE_KEY"
    : `${facts.newKeyFile ? "generated a signing key in" : "signing key from"} ${config.devKeyFile} (development only)`;
  const mail = config.smtpUrl ? "sent through SMTP_URL" : "printed here in the console (set SMTP_URL to send it)";
  return [
    `seatkey is running in development mode at ${config.publicUrl}`,
    `  database  ${database}`,
    `  keys      ${keys}`,
    `  mail      ${mail}`,
    `  account   ${config.publicUrl}/account`,
    `  next      bun run create-admin you@example.com "Your Name"   (npm: npm run create-admin -- you@example.com "Your Name")`,
  ].join("\n");
}
