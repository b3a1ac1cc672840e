// Boot: read config → open db (migrate) → createApp → listen. SIGTERM/SIGINT stop cleanly.
// WORKERS > 1: this process is the primary of a cluster of such processes (./cluster.ts).
import { createApp } from "./app";
import { buildDeps } from "./boot";
import { joinCluster, runPrimary, workerSlot } from "./cluster";
import { ConfigError, loadConfig, redactUrl } from "./config";
import { KeyError } from "./keys/keys";
import { consoleLogger } from "./lib/log";
import { startMailWorker } from "./mail/sender";

async function main() {
  const config = loadConfig(process.env);
  const worker = workerSlot(process.env);
  if (worker === undefined) for (const warning of config.warnings) consoleLogger.warn(warning);
  if (config.workers > 1 && worker === undefined) return runPrimary(config, consoleLogger);
  // A worker's primary has applied the migrations already.
  const deps = await buildDeps(config, { migrate: worker === undefined });
  const mailWorker = startMailWorker(deps);
  const hostname = process.env.HOST ?? "0.0.0.0";
  const app = createApp(deps).listen({ port: config.port, hostname, reusePort: worker !== undefined });
  deps.log.info("seatkey listening", {
    url: config.publicUrl,
    port: app.server?.port,
    database: redactUrl(config.databaseUrl),
    env: config.env,
    ...(worker === undefined ? {} : { worker }),
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.stop();
    await mailWorker.stop();
    deps.db.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  if (worker !== undefined) joinCluster(stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof KeyError) {
    console.error(`seatkey: ${error.message}`);
  } else {
    console.error("seatkey: failed to start:", error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
