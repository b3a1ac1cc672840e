// A real, throwaway Postgres server for a test file: initdb in a temp folder, listening on
// 127.0.0.1 only, stopped and deleted by stop(). Debian's postgresql package provides the binaries
// (.ci/run installs it when missing); Postgres refuses to run as root, so as root it runs as the
// package's `postgres` user.
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function binDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, "bin")).find((dir) => existsSync(join(dir, "initdb")));
}

/**
 * Where Debian's Postgres binaries are; undefined skips the Postgres tests with a notice — except
 * under CI, which must have them (`.ci/run` installs postgresql): there a missing server fails.
 */
export const POSTGRES_BIN = binDir();
if (!POSTGRES_BIN) {
  if (process.env.CI) throw new Error("Postgres not found under /usr/lib/postgresql: .ci/run installs it");
  console.warn("Postgres tests skipped: apt-get install postgresql to run them");
}

export interface Postgres {
  url: string;
  stop(): Promise<void>;
}

async function run(args: string[], asRoot: boolean): Promise<void> {
  const argv = asRoot ? ["runuser", "-u", "postgres", "--", ...args] : args;
  const child = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe" });
  const [code, err] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  if (code !== 0) throw new Error(`${args[0]} failed (${code}): ${err}`);
}

export async function startPostgres(): Promise<Postgres> {
  if (!POSTGRES_BIN) throw new Error("Postgres is not installed (apt-get install postgresql)");
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "seatkey-pg-"));
  if (asRoot) chownSync(dir, Number(Bun.spawnSync(["id", "-u", "postgres"]).stdout.toString()), -1);
  const data = join(dir, "data");
  await run([join(POSTGRES_BIN, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"], asRoot);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const options = `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off`;
  await run([join(POSTGRES_BIN, "pg_ctl"), "-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"], asRoot);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await run([join(POSTGRES_BIN!, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"], asRoot).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
