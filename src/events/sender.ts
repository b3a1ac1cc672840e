// Delivering the event outbox. Due deliveries of enabled endpoints are claimed with a lock
// (locked_until) in one short write, so several processes never send one delivery at the same
// time; each is then POSTed outside any transaction, signed per Standard Webhooks, and marked
// delivered, or retried with exponential back-off for about a day and then marked failed.
// At least once: a process that dies between the receiver's 2xx and the mark leaves the delivery
// to be sent again (same webhook-id) once its lock has run out.
import { and, asc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import { eventDeliveries, eventEndpoints } from "../../db/schema";
import type { Deps } from "../deps";
import { createBatchRunner, pollEvery, type BatchRunner } from "../lib/batch-runner";
import { unseal } from "../lib/crypto";
import { recordEndpointResultIn } from "./endpoints";
import { SEND_TIMEOUT_MS, sendSigned, type SendResult } from "./http";

/** First try plus retries: 30 s, 1, 2, 4 … 128 min, then every 4 h — about 24 h in all. */
export const MAX_ATTEMPTS = 15;
/** How long a claim lasts: longer than the worst-case send (timeout plus DNS). */
export const LOCK_MS = SEND_TIMEOUT_MS + 20_000;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_CAP_MS = 4 * 3600_000;
const BATCH = 20;

/** Delay before attempt `attempts + 1`. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

function dueWhere(now: number) {
  return and(
    isNull(eventDeliveries.deliveredAt),
    isNull(eventDeliveries.failedAt),
    lte(eventDeliveries.nextAttemptAt, now),
    lte(eventDeliveries.lockedUntil, now),
    inArray(
      eventDeliveries.endpointId,
      sql`(SELECT ${eventEndpoints.id} FROM ${eventEndpoints} WHERE ${eventEndpoints.enabled} = 1)`,
    ),
  );
}

async function claimDue(deps: Deps, limit: number) {
  const now = deps.clock.now();
  // A plain read first: the poller runs in every process and an empty outbox (the usual case)
  // must not take the write lock from real requests.
  const [any] = await deps.db.orm
    .select({ id: eventDeliveries.id })
    .from(eventDeliveries)
    .where(dueWhere(now))
    .limit(1);
  if (!any) return [];
  return deps.db.write(async (tx) => {
    const due = tx
      .select({ id: eventDeliveries.id })
      .from(eventDeliveries)
      .where(dueWhere(now))
      .orderBy(asc(eventDeliveries.nextAttemptAt))
      .limit(limit);
    return tx
      .update(eventDeliveries)
      .set({ lockedUntil: now + LOCK_MS })
      .where(and(inArray(eventDeliveries.id, due), lte(eventDeliveries.lockedUntil, now)))
      .returning();
  });
}

type Claimed = Awaited<ReturnType<typeof claimDue>>[number];
type Endpoint = typeof eventEndpoints.$inferSelect;

/** The secrets to sign with now: the current one, and the previous one during its overlap. */
function secretsOf(deps: Deps, endpoint: Endpoint): string[] {
  const secrets = [unseal(deps.keys.secretKey, endpoint.secretSealed)];
  const until = endpoint.previousSecretUntil ?? 0;
  if (endpoint.previousSecretSealed && until > deps.clock.now()) {
    secrets.push(unseal(deps.keys.secretKey, endpoint.previousSecretSealed));
  }
  return secrets;
}

async function record(deps: Deps, row: Claimed, result: SendResult) {
  const now = deps.clock.now();
  const attempts = row.attempts + 1;
  const gaveUp = !result.ok && attempts >= MAX_ATTEMPTS;
  await deps.db.write(async (tx) => {
    await tx
      .update(eventDeliveries)
      .set({
        attempts,
        lockedUntil: 0,
        lastStatus: result.status,
        lastError: result.error,
        deliveredAt: result.ok ? now : null,
        failedAt: gaveUp ? now : null,
        nextAttemptAt: result.ok ? row.nextAttemptAt : now + backoffMs(attempts),
      })
      .where(eq(eventDeliveries.id, row.id));
    await recordEndpointResultIn(tx, deps, row.endpointId, result.ok);
  });
  const fields = { id: row.id, endpointId: row.endpointId, type: row.eventType, attempts, error: result.error };
  if (gaveUp) deps.log.error("EVENT DELIVERY FAILED: retries used up", fields);
  else if (!result.ok) deps.log.warn("event not delivered; will retry", { ...fields, retryInMs: backoffMs(attempts) });
}

async function deliver(deps: Deps, row: Claimed, endpoint: Endpoint | undefined): Promise<boolean> {
  if (!endpoint) return false; // deleted meanwhile: its deliveries went with it
  let result: SendResult;
  try {
    const secrets = secretsOf(deps, endpoint);
    const input = { url: endpoint.url, id: row.id, at: new Date(deps.clock.now()), payload: row.payload, secrets };
    result = await sendSigned(input, { allowPrivate: deps.config.eventsAllowPrivate });
  } catch {
    // Sealed with another SECRET_KEY: nothing can sign it.
    result = { ok: false, status: null, error: "cannot unseal the endpoint secret (SECRET_KEY changed?)" };
  }
  await record(deps, row, result);
  return result.ok;
}

/** Claims one batch of due deliveries and tries each once (in parallel). */
export async function processEvents(deps: Deps, limit = BATCH): Promise<{ claimed: number; sent: number }> {
  const rows = await claimDue(deps, limit);
  if (rows.length === 0) return { claimed: 0, sent: 0 };
  const ids = [...new Set(rows.map((r) => r.endpointId))];
  const endpoints = await deps.db.orm.select().from(eventEndpoints).where(inArray(eventEndpoints.id, ids));
  const byId = new Map(endpoints.map((e) => [e.id, e]));
  const results = await Promise.all(rows.map((row) => deliver(deps, row, byId.get(row.endpointId))));
  return { claimed: rows.length, sent: results.filter(Boolean).length };
}

const runners = new WeakMap<object, BatchRunner>();

/** The event sender of this database handle (one per process and database). */
export function eventRunner(deps: Deps): BatchRunner {
  let runner = runners.get(deps.db);
  if (!runner) {
    runner = createBatchRunner({
      name: "event outbox",
      batchSize: BATCH,
      log: deps.log,
      processBatch: () => processEvents(deps),
    });
    runners.set(deps.db, runner);
  }
  return runner;
}

/** Polls the event outbox every `intervalMs` (retries, and events queued by other processes). */
export function startEventWorker(deps: Deps, intervalMs = 5_000) {
  return pollEvery(eventRunner(deps), intervalMs);
}
