// Opening the configured database: shared by the server, the cluster's primary and the scripts.
// Kept apart from ./boot.ts so that the primary does not load the whole app to migrate.
import { openDatabase, type ClusterTurn, type Database } from "../db/client";
import type { Config } from "./config";

export async function openConfiguredDatabase(config: Config, turn?: ClusterTurn): Promise<Database> {
  return openDatabase({
    url: config.databaseUrl,
    authToken: config.databaseAuthToken,
    syncUrl: config.databaseSyncUrl,
    turn,
  });
}
