// Shared start-up for operator scripts: config from the environment, clear one-line failures.
import { buildDeps } from "../src/boot";
import { ConfigError, loadConfig } from "../src/config";
import type { Deps } from "../src/deps";
import { KeyError } from "../src/keys/keys";

export function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

export async function runScript(main: (deps: Deps) => Promise<void>): Promise<void> {
  let deps: Deps | undefined;
  try {
    deps = await buildDeps(loadConfig(process.env));
    await main(deps);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof KeyError) fail(`seatkey: ${error.message}`);
    fail(`seatkey: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    deps?.db.close();
  }
}
