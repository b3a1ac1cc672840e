import { openDatabase } from "../../db/client";
import { migrateDatabase } from "../../db/migrate";
import { createHasher } from "../../src/passwords/hasher";
import { seedSize } from "./seed";
const db = await openDatabase({ url: "file:/tmp/bx/seed.db" });
await migrateDatabase(db);
const hash = await createHasher().hash("correct horse battery staple bench");
for (const size of [1000, 100_000, 1_000_000]) await seedSize(db, size, hash);
db.close();
