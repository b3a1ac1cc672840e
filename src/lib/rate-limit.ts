// Fixed-window counters in the database, so limits hold across processes and restarts.
// `check` refuses when a key is over its limit; `hit` counts one event atomically (one upsert).
import { sql } from "drizzle-orm";
import type { RateLimitRule } from "../config";
import type { Deps } from "../deps";
import { tooManyRequests } from "../errors";

interface Counter {
  count: number;
  windowStart: number;
}

/** Throws 429 (with Retry-After) when `key` has used up `rule` in the current window. */
export async function checkRateLimit(deps: Deps, key: string, rule: RateLimitRule): Promise<void> {
  const now = deps.clock.now();
  const rows = await deps.db.client.execute({
    sql: "SELECT count, window_start AS windowStart FROM rate_limits WHERE key = ?",
    args: [key],
  });
  const row = rows.rows[0] as unknown as Counter | undefined;
  if (row) throwIfOver(row, rule, now);
}

/** Counts one event for `key`; throws 429 when this event goes over the limit. */
export async function hitRateLimit(deps: Deps, key: string, rule: RateLimitRule): Promise<void> {
  const counter = await countRateLimit(deps, key, rule);
  if (counter && counter.count > rule.max) throwIfOver(counter, rule, deps.clock.now());
}

/** Counts one event for `key` without refusing it (e.g. a failure already answered with 401). */
export async function countRateLimit(deps: Deps, key: string, rule: RateLimitRule): Promise<Counter | undefined> {
  const now = deps.clock.now();
  const windowMs = rule.window * 1000;
  const counter = await deps.db.write(async (tx) => {
    const rows = await tx.all<Counter>(sql`
      INSERT INTO rate_limits (key, count, window_start) VALUES (${key}, 1, ${now})
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN window_start <= ${now - windowMs} THEN 1 ELSE count + 1 END,
        window_start = CASE WHEN window_start <= ${now - windowMs} THEN ${now} ELSE window_start END
      RETURNING count, window_start AS windowStart`);
    return rows[0];
  });
  return counter;
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
