// bun run db:migrate — apply pending migrations to DATABASE_URL.
import { openConfiguredDatabase } from "../src/database";
import { loadConfig } from "../src/config";
import { migrateDatabase } from "../db/migrate";
import { fail } from "./cli";

try {
  const config = loadConfig(process.env);
  const db = await openConfiguredDatabase(config);
  await migrateDatabase(db);
  db.close();
  console.log("migrations applied");
} catch (error) {
  fail(`seatkey: ${error instanceof Error ? error.message : String(error)}`);
}
