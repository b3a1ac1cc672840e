// Rate limits: fixed-window counters in the database, so limits hold across processes and restarts.
// `check` refuses when a key is over its limit; `count` records one event atomically (one upsert
// per key); `hit` counts first and then refuses what went over — the only race-free way to guard
// expensive or revealing work, since a check-then-count lets parallel requests all pass the check. Each takes several limits at once: one read, or one write transaction.
import { inArray, sql } from "drizzle-orm";
import { prepared } from "../../db/prepared";
import { rateLimits } from "../../db/schema";
import type { RateLimitRule } from "../config";
import type { Deps } from "../deps";
import { tooManyRequests } from "../errors";
import { deleteInBatches } from "../lib/batches";

export interface Limit {
  key: string;
  rule: RateLimitRule;
}

interface Counter {
  count: number;
  windowStart: number;
}

// The counters of 1, 2, 3… keys (placeholders k0, k1…): each call site checks a fixed number of keys.
// A key has at most one row: the limit says so, and one key is read with a single-row read.
const countersByArity = new Map<number, ReturnType<typeof countersQuery>>();
const countersQuery = (n: number) =>
  prepared((orm) =>
    orm
      .select({ key: rateLimits.key, count: rateLimits.count, windowStart: rateLimits.windowStart })
      .from(rateLimits)
      .where(
        inArray(
          rateLimits.key,
          Array.from({ length: n }, (_, i) => sql.placeholder(`k${i}`)),
        ),
      )
      .limit(n)
      .prepare(),
  );
function countersOf(n: number) {
  let query = countersByArity.get(n);
  if (!query) countersByArity.set(n, (query = countersQuery(n)));
  return query;
}

/** Throws 429 (with Retry-After) when any key has used up its rule in the current window. */
export async function checkRateLimit(deps: Deps, ...limits: Limit[]): Promise<void> {
  const now = deps.clock.now();
  const keys = Object.fromEntries(limits.map((l, i) => [`k${i}`, l.key]));
  const rows = await countersOf(limits.length)(deps.db).execute(keys);
  const byKey = new Map(rows.map((r) => [r.key, r]));
  for (const { key, rule } of limits) {
    const row = byKey.get(key);
    if (row) throwIfOver(row, rule, now);
  }
}

/** Counts one event for each key; throws 429 when this event goes over a limit. */
export async function hitRateLimit(deps: Deps, ...limits: Limit[]): Promise<void> {
  const counters = await countRateLimit(deps, ...limits);
  const now = deps.clock.now();
  limits.forEach(({ rule }, i) => {
    const counter = counters[i];
    if (counter && counter.count > rule.max) throwIfOver(counter, rule, now);
  });
}

/** Counts one event for each key without refusing it (e.g. a failure already answered with 401). */
export async function countRateLimit(deps: Deps, ...limits: Limit[]): Promise<(Counter | undefined)[]> {
  const now = deps.clock.now();
  return deps.db.write(async (tx) => {
    const counters: (Counter | undefined)[] = [];
    for (const { key, rule } of limits) {
      const windowOpen = now - rule.window * 1000;
      const rows = await tx.all<Counter>(sql`
        INSERT INTO rate_limits (key, count, window_start) VALUES (${key}, 1, ${now})
        ON CONFLICT (key) DO UPDATE SET
          count = CASE WHEN window_start <= ${windowOpen} THEN 1 ELSE count + 1 END,
          window_start = CASE WHEN window_start <= ${windowOpen} THEN ${now} ELSE window_start END
        RETURNING count, window_start AS windowStart`);
      counters.push(rows[0]);
    }
    return counters;
  });
}

/** Takes back one counted event per limit (an attempt counted up front that turned out fine). */
export async function refundRateLimit(deps: Deps, ...limits: Limit[]): Promise<void> {
  if (limits.length === 0) return;
  const keys = limits.map((l) => l.key);
  await deps.db.write((tx) =>
    tx.run(sql`UPDATE rate_limits SET count = max(count - 1, 0) WHERE key IN (${sql.join(keys, sql`, `)})`),
  );
}

/** Forget a key's counter (e.g. failures after a successful login). */
export async function clearRateLimit(deps: Deps, key: string): Promise<void> {
  await deps.db.write((tx) => tx.run(sql`DELETE FROM rate_limits WHERE key = ${key}`));
}

function throwIfOver(counter: Counter, rule: RateLimitRule, now: number) {
  const windowEnd = counter.windowStart + rule.window * 1000;
  if (counter.count >= rule.max && windowEnd > now) {
    throw tooManyRequests(Math.max(1, Math.ceil((windowEnd - now) / 1000)));
  }
}

/** Housekeeping: deletes the counters whose window ended before `before` (prune). */
export async function deleteStaleRateLimits(deps: Pick<Deps, "db">, before: number): Promise<number> {
  return deleteInBatches(deps, rateLimits, rateLimits.key, sql`${rateLimits.windowStart} <= ${before}`);
}
