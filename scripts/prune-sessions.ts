// bun run prune-sessions — revoke sessions beyond valid seats, delete expired and old rows; prints
// counts. Safe from cron, repeatedly and concurrently (see src/maintenance/prune.ts).
import { prune } from "../src/maintenance/prune";
import { fail, runScript } from "./cli";

if (process.argv.length > 2) fail("usage: bun run prune-sessions", 2);

await runScript(async (deps) => {
  const counts = await prune(deps);
  for (const [name, n] of Object.entries(counts)) console.log(`${name}: ${n}`);
});
