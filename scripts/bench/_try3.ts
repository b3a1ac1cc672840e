import { openDatabase } from "../../db/client";
import { buildDeps } from "../../src/boot";
import { loadConfig } from "../../src/config";
import { refresh } from "../../src/auth/service";
import { seedKnownSessions } from "./seed";
import { serverEnv } from "./server";
const db = await openDatabase({ url: "file:/tmp/bx/seed.db" });
const tokens = await seedKnownSessions(db, 2, 100000);
db.close();
const env = await serverEnv("/tmp/bx/seed.db", 3999, 1);
const deps = await buildDeps(loadConfig(env), { migrate: false });
const CLIENT = { ip: "127.0.0.1", userAgent: "bench", country: null, city: null, region: null };
let token = tokens[0]!;
const t0 = performance.now(); let n = 0;
while (performance.now() - t0 < 4000) { token = (await refresh(deps, token, CLIENT)).refreshToken; n++; }
console.log((performance.now() - t0) * 1000 / n, "us/op");
