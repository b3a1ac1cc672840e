// One serving process: open db (migrate) → createApp → listen; SIGTERM/SIGINT stop cleanly.
// Loaded by ./index.ts only in a process that serves, so a cluster's primary never loads the app.
import { createApp } from "./app";
import { buildDeps } from "./boot";
import { joinCluster, workerTurn } from "./cluster";
import { type Config, redactUrl } from "./config";
import { startEventWorker } from "./events/sender";
import { startMailWorker } from "./mail/sender";
import { startCoolDownWorker } from "./sessions/cool-down";
import { developmentReport, startFacts } from "./startup-report";

/** Serve `config`; `worker` is this process's slot in a cluster, undefined when it runs alone. */
export async function serve(config: Config, worker: number | undefined): Promise<void> {
  const facts = startFacts(config);
  // A worker's primary has applied the migrations already, and grants it turns to write.
  const deps = await buildDeps(config, {
    serving: true,
    ...(worker === undefined ? { migrate: true } : { migrate: false, turn: workerTurn() }),
  });
  const mailWorker = startMailWorker(deps);
  const eventWorker = startEventWorker(deps);
  const coolDownWorker = startCoolDownWorker(deps);
  const app = createApp(deps).listen({ port: config.port, hostname: config.host, reusePort: worker !== undefined });
  deps.log.info("seatkey listening", {
    url: config.publicUrl,
    port: app.server?.port,
    database: redactUrl(config.databaseUrl),
    env: config.env,
    ...(worker === undefined ? {} : { worker }),
  });
  if (config.env === "development" && worker === undefined) console.log(developmentReport(config, facts));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.stop();
    await mailWorker.stop();
    await coolDownWorker.stop();
    await eventWorker.stop();
    deps.db.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  if (worker !== undefined) joinCluster(stop);
}
