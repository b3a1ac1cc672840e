// WORKERS=N (N > 1): this process becomes the primary. It has the migrations applied and makes sure
// the signing keys exist — once, before any worker could race for them — then runs N copies of
// the same entry as workers serving one port with SO_REUSEPORT (the kernel spreads connections
// between them). A worker that dies is started again after a pause that grows while it keeps
// dying; SIGTERM / SIGINT stop every worker gracefully (in-flight requests finish).
// Writers in the workers take turns that the primary grants (./write-turns.ts).
// Bun.spawn with an IPC channel rather than node:cluster, which is incomplete in Bun. The primary
// loads neither the app nor the database layer (a one-off process prepares): it stays small.
import type { Subprocess } from "bun";
import { type Config, ConfigError, type Env } from "./config";
import type { Logger } from "./lib/log";
import { isTurnMessage, TurnGranter, WorkerTurn } from "./write-turns";

/** Set in a worker's environment to its slot, 1…N. */
export const WORKER_ENV = "SEATKEY_WORKER";
/** Set in the environment of the process that prepares the database and keys for a cluster. */
export const PREPARE_ENV = "SEATKEY_PREPARE";

const FIRST_RESTART_MS = 500;
const MAX_RESTART_MS = 30_000;
/** A worker that served this long before dying is restarted as if it had never failed. */
const STABLE_MS = 10_000;
const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;

/** This process's worker slot when a primary started it; undefined in a single process. */
export function workerSlot(env: Env): number | undefined {
  const slot = Number(env[WORKER_ENV]);
  return Number.isInteger(slot) && slot > 0 ? slot : undefined;
}

/** Pause before restarting a worker after `quickDeaths` earlier deaths in a row soon after start. */
export function restartDelay(quickDeaths: number): number {
  return Math.min(MAX_RESTART_MS, FIRST_RESTART_MS * 2 ** Math.min(quickDeaths, 16));
}

/**
 * The database URL a worker must use instead of DATABASE_URL, if any: an embedded replica file
 * belongs to one process (each keeps its own sync state), so workers 2…N get a file of their own
 * next to the configured one (replica.db → replica.worker2.db).
 */
export function workerDatabaseUrl(config: Pick<Config, "databaseUrl" | "databaseSyncUrl">, slot: number) {
  if (!config.databaseSyncUrl || slot === 1) return undefined;
  const [path = "", query] = config.databaseUrl.split("?", 2);
  const named = /\.[^./]*$/.test(path) ? path.replace(/(\.[^./]*)$/, `.worker${slot}$1`) : `${path}.worker${slot}`;
  return query === undefined ? named : `${named}?${query}`;
}

/** In a worker, before opening the database: its share of the write turn the primary grants. */
export function workerTurn(): WorkerTurn {
  const turn = new WorkerTurn((message) => process.send?.(message));
  process.on("message", (message) => turn.onMessage(message));
  process.on("disconnect", () => turn.detach());
  return turn;
}

/** In a worker: tell the primary it serves, and stop when the primary goes away. */
export function joinCluster(stop: () => void): void {
  process.send?.({ type: "ready" });
  process.on("disconnect", stop);
}

/** Run as the primary of `config.workers` workers until SIGTERM / SIGINT. */
export async function runPrimary(config: Config, log: Logger): Promise<void> {
  if (config.port === 0) {
    throw new ConfigError([`PORT=0 (any free port) cannot be shared by WORKERS=${config.workers}: set a port`]);
  }
  const command = [process.execPath, ...process.execArgv, Bun.main];
  await prepareSharedState(command);
  const turns = new TurnGranter((slot, message) => {
    if (!supervisor.send(slot, message)) turns.forget(slot);
  });
  const supervisor: Supervisor = new Supervisor({
    count: config.workers,
    command,
    env: (slot) => {
      const databaseUrl = workerDatabaseUrl(config, slot);
      return { ...process.env, [WORKER_ENV]: String(slot), ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
    },
    log,
    onMessage: (slot, message) => {
      if (isTurnMessage(message)) turns.onMessage(slot, message);
    },
    onExit: (slot) => turns.forget(slot),
  });
  const stop = async () => {
    await supervisor.stop();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  try {
    await supervisor.start();
  } catch (error) {
    await supervisor.stop();
    throw error;
  }
  log.info("seatkey cluster serving", { workers: config.workers, port: config.port, url: config.publicUrl });
}

/**
 * What the workers must not race for — the schema, and the development key file — prepared once
 * before they start, by a one-off process (the same entry with PREPARE_ENV set), so that the
 * primary itself never loads the database layer: it stays small for as long as it supervises.
 */
async function prepareSharedState(command: string[]): Promise<void> {
  const proc = Bun.spawn(command, {
    env: { ...process.env, [PREPARE_ENV]: "1" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const code = await proc.exited;
  if (code !== 0) throw new Error(`preparing the database and keys failed (exit ${code}; the reason is above)`);
}

/** In the one-off process of prepareSharedState: apply the migrations, validate or create the keys. */
export async function prepareCluster(config: Config): Promise<void> {
  const [{ openAndMigrate }, { loadSigningKeys }] = await Promise.all([import("./database"), import("./keys/keys")]);
  (await openAndMigrate(config)).close();
  // Validates configured keys, or creates the development key file once for every worker to read.
  await loadSigningKeys(config);
}

interface SupervisorOptions {
  count: number;
  command: string[];
  env(slot: number): Record<string, string | undefined>;
  log: Logger;
  /** Every IPC message from a worker other than "ready". */
  onMessage(slot: number, message: unknown): void;
  /** A worker process has exited (before it is restarted). */
  onExit(slot: number): void;
}

interface Worker {
  slot: number;
  proc: Subprocess;
  startedAt: number;
}

interface Startup {
  waiting: Set<number>;
  resolve(): void;
  reject(error: Error): void;
}

/** Keeps `count` workers running: spawns, watches, restarts with back-off, stops. */
class Supervisor {
  private readonly running = new Map<number, Worker>();
  private readonly quickDeaths = new Map<number, number>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private startup: Startup | undefined;
  private stopping = false;

  constructor(private readonly options: SupervisorOptions) {}

  /** Resolves once every worker serves; rejects when one dies or hangs before it does. */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const slots = Array.from({ length: this.options.count }, (_, i) => i + 1);
      const timeout = setTimeout(
        () => this.failStartup(new Error(`workers did not start within ${STARTUP_TIMEOUT_MS / 1000}s`)),
        STARTUP_TIMEOUT_MS,
      );
      const done = () => clearTimeout(timeout);
      this.startup = {
        waiting: new Set(slots),
        resolve: () => (done(), resolve()),
        reject: (error) => (done(), reject(error)),
      };
      for (const slot of slots) this.spawn(slot);
    });
  }

  /** SIGTERM every worker and wait for them (SIGKILL after a grace period). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.startup?.resolve();
    const procs = [...this.running.values()].map((w) => w.proc);
    for (const proc of procs) proc.kill("SIGTERM");
    const force = setTimeout(() => {
      for (const proc of procs) proc.kill("SIGKILL");
    }, STOP_GRACE_MS);
    await Promise.all(procs.map((proc) => proc.exited));
    clearTimeout(force);
  }

  private spawn(slot: number): void {
    const worker: Worker = {
      slot,
      startedAt: Date.now(),
      proc: Bun.spawn(this.options.command, {
        env: this.options.env(slot),
        stdio: ["ignore", "inherit", "inherit"],
        ipc: (message) => {
          if ((message as { type?: unknown } | null)?.type === "ready") this.onReady(slot);
          else this.options.onMessage(slot, message);
        },
        onExit: (_proc, code, signal) => this.onExit(worker, code, signal),
      }),
    };
    this.running.set(slot, worker);
  }

  /** Sends `message` to the worker in `slot`; false when it is not running or its channel is gone. */
  send(slot: number, message: unknown): boolean {
    try {
      this.running.get(slot)?.proc.send(message);
      return this.running.has(slot);
    } catch {
      return false;
    }
  }

  private onReady(slot: number): void {
    const startup = this.startup;
    if (!startup) return;
    startup.waiting.delete(slot);
    if (startup.waiting.size === 0) {
      this.startup = undefined;
      startup.resolve();
    }
  }

  private onExit(worker: Worker, code: number | null, signal: string | number | null): void {
    if (this.running.get(worker.slot) === worker) {
      this.running.delete(worker.slot);
      this.options.onExit(worker.slot);
    }
    if (this.stopping) return;
    const how = code === null ? `signal ${signal}` : `code ${code}`;
    if (this.startup) {
      // At first start a worker that cannot serve (port taken, bad database…) means the cluster
      // cannot: fail fast rather than restart forever.
      this.failStartup(new Error(`worker ${worker.slot} exited with ${how} before serving (its error is above)`));
      return;
    }
    const lived = Date.now() - worker.startedAt;
    const earlier = lived >= STABLE_MS ? 0 : (this.quickDeaths.get(worker.slot) ?? 0);
    this.quickDeaths.set(worker.slot, earlier + 1);
    const delay = restartDelay(earlier);
    this.options.log.warn("worker exited; restarting it", { worker: worker.slot, exit: how, restartInMs: delay });
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopping) this.spawn(worker.slot);
    }, delay);
    this.timers.add(timer);
  }

  private failStartup(error: Error): void {
    const startup = this.startup;
    this.startup = undefined;
    startup?.reject(error);
  }
}
