// The store-event log: every verified event is stored (sealed) before it is applied, keyed by
// (endpoint, event key) so a repeat is recognised; its status says what became of it.
import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { storeEvents, type StoreEventRow, type StoreEventStatus } from "../../db/schema";
import type { Deps } from "../deps";
import { notFound } from "../errors";
import { deleteInBatches } from "../lib/batches";
import { newId, seal, unseal } from "../lib/crypto";
import type { StoreEvent } from "./event";

export interface Outcome {
  status: Exclude<StoreEventStatus, "received">;
  /** Why it is parked, unmapped, ignored or failed (or a note on an applied one). */
  error: string | null;
  /** Parked: "customer:<id>" or "ref:<external ref>". */
  waitingFor?: string | null;
}

/** Stores a new event; the existing row when this endpoint has seen the key before. */
export async function recordEvent(
  deps: Pick<Deps, "db" | "clock" | "keys">,
  webhookId: string,
  event: StoreEvent,
  rawBody: string,
): Promise<{ row: StoreEventRow; repeat: boolean }> {
  const [inserted] = await deps.db.write((tx) =>
    tx
      .insert(storeEvents)
      .values({
        id: newId(),
        webhookId,
        provider: event.provider,
        eventKey: event.key,
        type: event.type,
        occurredAt: event.occurredAt,
        receivedAt: deps.clock.now(),
        status: "received",
        bodySealed: seal(deps.keys.secretKey, rawBody),
      })
      .onConflictDoNothing()
      .returning(),
  );
  if (inserted) return { row: inserted, repeat: false };
  const existing = await deps.db.orm.query.storeEvents.findFirst({
    where: and(eq(storeEvents.webhookId, webhookId), eq(storeEvents.eventKey, event.key)),
  });
  if (!existing) throw new Error("store event vanished between insert and read");
  return { row: existing, repeat: true };
}

export async function markEventIn(tx: Tx, deps: Pick<Deps, "clock">, id: string, outcome: Outcome): Promise<void> {
  await tx
    .update(storeEvents)
    .set({
      status: outcome.status,
      error: outcome.error,
      waitingFor: outcome.status === "parked" ? (outcome.waitingFor ?? null) : null,
      appliedAt: outcome.status === "applied" ? deps.clock.now() : null,
    })
    .where(eq(storeEvents.id, id));
}

export function eventBody(deps: Pick<Deps, "keys">, row: StoreEventRow): string {
  return unseal(deps.keys.secretKey, row.bodySealed);
}

export async function findEvent(deps: Pick<Deps, "db">, id: string): Promise<StoreEventRow> {
  const row = await deps.db.orm.query.storeEvents.findFirst({ where: eq(storeEvents.id, id) });
  if (!row) throw notFound("store_event_not_found", "No store event with this id");
  return row;
}

/** Parked events of an endpoint waiting for any of `keys`, oldest first. */
export async function parkedOn(deps: Pick<Deps, "db">, webhookId: string, keys: string[]): Promise<StoreEventRow[]> {
  if (keys.length === 0) return [];
  return deps.db.orm
    .select()
    .from(storeEvents)
    .where(
      and(
        eq(storeEvents.webhookId, webhookId),
        eq(storeEvents.status, "parked"),
        inArray(storeEvents.waitingFor, keys),
      ),
    )
    .orderBy(storeEvents.occurredAt);
}

export interface EventView {
  id: string;
  webhookId: string;
  provider: string;
  eventKey: string;
  type: string;
  occurredAt: number;
  receivedAt: number;
  status: StoreEventStatus;
  error: string | null;
  waitingFor: string | null;
  appliedAt: number | null;
}

/** What operators see of an event (never its body). */
export function toEventView(row: StoreEventRow): EventView {
  const { bodySealed: _body, ...view } = row;
  return view;
}

/** An endpoint's events, newest first, optionally of one status. */
export async function listStoreEvents(
  deps: Pick<Deps, "db">,
  input: { webhookId: string; status?: StoreEventStatus | undefined; limit?: number | undefined },
): Promise<EventView[]> {
  const where = input.status
    ? and(eq(storeEvents.webhookId, input.webhookId), eq(storeEvents.status, input.status))
    : eq(storeEvents.webhookId, input.webhookId);
  const rows = await deps.db.orm
    .select()
    .from(storeEvents)
    .where(where)
    .orderBy(desc(storeEvents.receivedAt))
    .limit(input.limit ?? 100);
  return rows.map(toEventView);
}

/** Handled events: nothing more will be done with them. The rest wait for an operator or a later event. */
const HANDLED: StoreEventStatus[] = ["applied", "ignored"];
const UNHANDLED: StoreEventStatus[] = ["received", "parked", "unmapped", "failed"];
/** How long an event never handled (parked, unmapped, failed) is kept at least. */
export const UNHANDLED_RETENTION_MS = 365 * 86_400_000;

/**
 * Housekeeping (prune): deletes handled events received more than STORE_EVENTS_RETENTION ago, and
 * unhandled ones after a year (or the retention, if longer) — still listed and re-appliable until
 * then. Two indexed deletes (status, received_at), in batches.
 */
export async function deleteOldStoreEvents(deps: Pick<Deps, "db" | "config">, now: number): Promise<number> {
  const retentionMs = deps.config.storeEventsRetention * 1000;
  const older = (statuses: StoreEventStatus[], ms: number) =>
    sql`${inArray(storeEvents.status, statuses)} AND ${lt(storeEvents.receivedAt, now - ms)}`;
  const handled = await deleteInBatches(deps, storeEvents, storeEvents.id, older(HANDLED, retentionMs));
  const unhandledMs = Math.max(retentionMs, UNHANDLED_RETENTION_MS);
  return handled + (await deleteInBatches(deps, storeEvents, storeEvents.id, older(UNHANDLED, unhandledMs)));
}
