import { openDatabase } from "../../db/client";
import { profileRequests } from "./profile";
import { seedKnownSessions, benchEmail } from "./seed";
import { serverEnv } from "./server";
const db = await openDatabase({ url: "file:/tmp/bx/seed.db" });
const tokens = await seedKnownSessions(db, 2, 100000);
db.close();
const env = await serverEnv("/tmp/bx/seed.db", 3999, 1);
console.log(JSON.stringify(await profileRequests(env, "/tmp/bx/seed.db", [tokens[0]!, tokens[1]!], { email: benchEmail(5), password: "correct horse battery staple bench" }, 2), null, 1));
