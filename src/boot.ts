// Building the dependencies from configuration: shared by the server and the operator scripts.
import type { ClusterTurn } from "../db/client";
import type { Config } from "./config";
import { openAndMigrate } from "./database";
import type { Deps } from "./deps";
import { loadSigningKeys } from "./keys/keys";
import { systemClock } from "./lib/clock";
import { consoleLogger } from "./lib/log";
import { withOutbox } from "./mail/sender";
import { createMailTransport } from "./mail/transport";
import { createHasher, hashConcurrency, OWASP_ARGON2ID } from "./passwords/hasher";

export interface BuildOptions {
  /** Apply the migrations (a cluster's primary has done so for its workers). */
  migrate?: boolean;
  /** A cluster worker's share of the write turn. */
  turn?: ClusterTurn;
  /** A serving process (not an operator script): WAL checkpoints in the background (db/checkpointer.ts). */
  serving?: boolean;
}

export async function buildDeps(config: Config, options: BuildOptions = {}): Promise<Deps> {
  const db = await openAndMigrate(config, options);
  const keys = await loadSigningKeys(config);
  return withOutbox({
    config,
    db,
    clock: systemClock,
    keys,
    log: consoleLogger,
    mailer: createMailTransport(config, consoleLogger),
    hasher: createHasher(OWASP_ARGON2ID, { concurrency: hashConcurrency(config.workers) }),
  });
}
