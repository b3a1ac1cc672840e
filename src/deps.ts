// What every service and route gets: passed in, never imported from globals.
import type { Database } from "../db/client";
import type { Config } from "./config";
import type { SigningKeys } from "./keys/keys";
import type { Clock } from "./lib/clock";
import type { Logger } from "./lib/log";
import type { Outbox } from "./mail/sender";
import type { MailTransport } from "./mail/transport";
import type { PasswordHasher } from "./passwords/hasher";

export interface Deps {
  config: Config;
  db: Database;
  clock: Clock;
  keys: SigningKeys;
  log: Logger;
  mailer: MailTransport;
  hasher: PasswordHasher;
  /** The mail sender of this process: queueMailIn kicks it once the transaction commits. */
  outbox: Outbox;
}
