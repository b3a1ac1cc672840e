// Idempotent webhook deliveries. The key (Idempotency-Key header, else the body's event `id`) is
// claimed with one INSERT … ON CONFLICT DO NOTHING RETURNING before the action runs; the action's
// transaction stores the response on the claim, so "changed" and "remembered" commit together.
// A second delivery gets the first response back. One arriving while the first is still running
// polls briefly for it, else gets 409 in_progress. A failed attempt releases its claim, so the
// store's retry runs the action again (nothing is remembered for errors). A claim left behind by a
// crashed process is taken over after ABANDONED_AFTER_MS.
import { and, eq, isNull, lt, sql } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { webhookEvents } from "../../db/schema";
import type { Deps } from "../deps";
import { conflict } from "../errors";
import { deleteInBatches } from "../lib/batches";
import { newId } from "../lib/crypto";

export const ABANDONED_AFTER_MS = 60_000;
const WAIT_FOR_FIRST_MS = 5_000;
const POLL_MS = 25;

export interface Claim {
  key: string;
  /** Kept in `response` while the claim is pending, so only its owner can finish or release it. */
  nonce: string;
}

export interface Reply {
  status: number;
  body: unknown;
  replayed: boolean;
}

export async function withIdempotency(
  deps: Deps,
  webhookId: string,
  eventKey: string,
  run: (claim: Claim) => Promise<Reply>,
  options: { waitMs?: number } = {},
): Promise<Reply> {
  const key = `${webhookId}:${eventKey}`;
  const deadline = Date.now() + (options.waitMs ?? WAIT_FOR_FIRST_MS);
  for (;;) {
    const claim = await tryClaim(deps, webhookId, key);
    if (claim) {
      try {
        return await run(claim);
      } catch (error) {
        await release(deps, claim).catch((e) =>
          deps.log.error("webhook: releasing claim failed", { error: String(e) }),
        );
        throw error;
      }
    }
    const stored = await storedReply(deps, key);
    if (stored) return stored;
    if (Date.now() >= deadline) {
      throw conflict("in_progress", "A delivery with this idempotency key is still being processed; retry shortly");
    }
    await Bun.sleep(POLL_MS);
  }
}

async function tryClaim(deps: Deps, webhookId: string, key: string): Promise<Claim | undefined> {
  const now = deps.clock.now();
  const nonce = newId();
  const rows = await deps.db.write((tx) =>
    tx
      .insert(webhookEvents)
      .values({ key, webhookId, status: null, response: nonce, createdAt: now })
      .onConflictDoUpdate({
        target: webhookEvents.key,
        set: { response: nonce, createdAt: now },
        setWhere: and(isNull(webhookEvents.status), lt(webhookEvents.createdAt, now - ABANDONED_AFTER_MS)),
      })
      .returning({ key: webhookEvents.key }),
  );
  return rows.length > 0 ? { key, nonce } : undefined;
}

async function storedReply(deps: Deps, key: string): Promise<Reply | undefined> {
  const row = await deps.db.orm.query.webhookEvents.findFirst({ where: eq(webhookEvents.key, key) });
  if (!row || row.status === null || row.response === null) return undefined;
  return { status: row.status, body: JSON.parse(row.response), replayed: true };
}

/** Stores the response on the claim, inside the action's transaction. */
export async function finishClaimIn(tx: Tx, claim: Claim, status: number, body: unknown): Promise<void> {
  const done = await tx
    .update(webhookEvents)
    .set({ status, response: JSON.stringify(body) })
    .where(ownedBy(claim))
    .returning({ key: webhookEvents.key });
  // Taken over as abandoned meanwhile: roll the action back rather than run it twice.
  if (done.length === 0) throw conflict("in_progress", "This delivery was taken over by another attempt");
}

async function release(deps: Deps, claim: Claim): Promise<void> {
  await deps.db.write((tx) => tx.delete(webhookEvents).where(ownedBy(claim)));
}

const ownedBy = (claim: Claim) =>
  and(eq(webhookEvents.key, claim.key), isNull(webhookEvents.status), eq(webhookEvents.response, claim.nonce));

/** Housekeeping: forgets the deliveries recorded before `before` (prune). */
export async function deleteOldWebhookEvents(deps: Pick<Deps, "db">, before: number): Promise<number> {
  return deleteInBatches(deps, webhookEvents, webhookEvents.key, sql`${webhookEvents.createdAt} < ${before}`);
}
