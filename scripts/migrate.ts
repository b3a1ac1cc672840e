// bun run db:migrate — apply pending migrations to DATABASE_URL.
import { loadConfig } from "../src/config";
import { openAndMigrate } from "../src/database";
import { fail } from "./cli";

try {
  const db = await openAndMigrate(loadConfig(process.env));
  db.close();
  console.log("migrations applied");
} catch (error) {
  fail(`seatkey: ${error instanceof Error ? error.message : String(error)}`);
}
