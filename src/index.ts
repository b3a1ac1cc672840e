// Boot: read config → open db (migrate) → createApp → listen. SIGTERM/SIGINT stop cleanly.
import { createApp } from "./app";
import { buildDeps } from "./boot";
import { ConfigError, loadConfig, redactUrl } from "./config";
import { KeyError } from "./keys/keys";

async function main() {
  const config = loadConfig(process.env);
  const deps = await buildDeps(config);
  const app = createApp(deps).listen({ port: config.port, hostname: process.env.HOST ?? "0.0.0.0" });
  deps.log.info("seatkey listening", {
    url: config.publicUrl,
    port: app.server?.port,
    database: redactUrl(config.databaseUrl),
    env: config.env,
  });
  const stop = async () => {
    await app.stop();
    deps.db.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof KeyError) {
    console.error(`seatkey: ${error.message}`);
  } else {
    console.error("seatkey: failed to start:", error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
