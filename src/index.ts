// Entry: read config, then serve (./serve.ts) — or, with WORKERS > 1, become the primary of a
// cluster of such processes (./cluster.ts), which loads only what it needs, not the app.
import { PREPARE_ENV, prepareCluster, runPrimary, workerSlot } from "./cluster";
import { ConfigError, loadConfig } from "./config";
import { DatabaseError } from "./errors";
import { KeyError } from "./keys/keys";
import { consoleLogger } from "./lib/log";

async function main() {
  const config = loadConfig(process.env);
  const worker = workerSlot(process.env);
  if (process.env[PREPARE_ENV]) return prepareCluster(config).then(() => process.exit(0));
  if (worker === undefined) for (const warning of config.warnings) consoleLogger.warn(warning);
  if (config.workers > 1 && worker === undefined) return runPrimary(config, consoleLogger);
  const { serve } = await import("./serve");
  await serve(config, worker);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof KeyError || error instanceof DatabaseError) {
    console.error(`seatkey: ${error.message}`);
  } else {
    console.error("seatkey: failed to start:", error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
