// A second process announcing ended seat cool-downs on the same database file (events-cool-down
// test): DATABASE_URL and NOW (Unix ms) in the environment; prints how many it announced.
import { openDatabase } from "../db/client";
import { announceCoolDownsEnded } from "../src/sessions/cool-down";
import { FixedClock } from "./fakes";

const db = await openDatabase({ url: process.env.DATABASE_URL ?? "" });
const deps = { db, clock: new FixedClock(Number(process.env.NOW)) };
let total = 0;
// Small batches, so the processes' transactions interleave.
for (let n = -1; n !== 0; total += n) n = await announceCoolDownsEnded(deps, 2);
db.close();
console.log(total);
