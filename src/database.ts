// Opening the configured database: shared by the server, the cluster's primary and the scripts.
// Kept apart from ./boot.ts so that the primary does not load the whole app to migrate.
import { openDatabase, type ClusterTurn, type Database } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { type Config, redactUrl } from "./config";
import { DatabaseError } from "./errors";

export async function openConfiguredDatabase(
  config: Config,
  options: { turn?: ClusterTurn; serving?: boolean } = {},
): Promise<Database> {
  return openDatabase({
    url: config.databaseUrl,
    authToken: config.databaseAuthToken,
    syncUrl: config.databaseSyncUrl,
    turn: options.turn,
    backgroundCheckpoints: options.serving,
  });
}

/** Opens (and, unless told not to, migrates) the database; any failure becomes one DatabaseError line. */
export async function openAndMigrate(
  config: Config,
  options: { migrate?: boolean; turn?: ClusterTurn; serving?: boolean } = {},
): Promise<Database> {
  let db: Database | undefined;
  try {
    db = await openConfiguredDatabase(config, options);
    if (options.migrate ?? true) await migrateDatabase(db);
    return db;
  } catch (error) {
    db?.close();
    throw new DatabaseError(`DATABASE_URL=${redactUrl(config.databaseUrl)}: ${databaseCause(config, error)}`);
  }
}

/** The cause in words: the driver's own errors are a code number or a whole SQL statement. */
function databaseCause(config: Config, error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  const text = `${error instanceof Error ? error.message : String(error)} ${cause instanceof Error ? cause.message : ""}`;
  if (config.databaseUrl.startsWith("file:") && /: 14\b|CANTOPEN|unable to open/i.test(text)) {
    return "cannot open the file: its directory does not exist or is not writable (create the directory, or fix the path)";
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|Unable to connect|fetch failed|ETIMEDOUT/i.test(text)) {
    return "the database server did not answer (is it running, and is the URL right?)";
  }
  if (/401|403|unauthori[sz]ed|forbidden|token/i.test(text)) {
    return "the database server refused the credentials (check DATABASE_AUTH_TOKEN)";
  }
  const firstLine = text.trim().split("\n")[0] ?? "";
  return `cannot open the database: ${firstLine.slice(0, 200)}`;
}
