// Building the dependencies from configuration: shared by the server and the operator scripts.
import { openDatabase, type Database } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import type { Config } from "./config";
import type { Deps } from "./deps";
import { loadSigningKeys } from "./keys/keys";
import { systemClock } from "./lib/clock";
import { consoleLogger } from "./lib/log";
import { createOutbox } from "./mail/sender";
import { createMailTransport } from "./mail/transport";
import { createHasher, hashConcurrency, OWASP_ARGON2ID } from "./passwords/hasher";

export async function openConfiguredDatabase(config: Config): Promise<Database> {
  return openDatabase({
    url: config.databaseUrl,
    authToken: config.databaseAuthToken,
    syncUrl: config.databaseSyncUrl,
  });
}

export async function buildDeps(config: Config, options: { migrate?: boolean } = {}): Promise<Deps> {
  const db = await openConfiguredDatabase(config);
  if (options.migrate ?? true) await migrateDatabase(db);
  const keys = await loadSigningKeys(config);
  const base = {
    config,
    db,
    clock: systemClock,
    keys,
    log: consoleLogger,
    mailer: createMailTransport(config, consoleLogger),
    hasher: createHasher(OWASP_ARGON2ID, { concurrency: hashConcurrency(config.workers) }),
  };
  return { ...base, outbox: createOutbox(base) };
}
