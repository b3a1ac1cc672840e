// Queueing events: one delivery row per enabled endpoint that wants the event's type, written in
// the caller's open write transaction, so an event is sent if and only if its change commits.
import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { eventDeliveries, eventEndpoints } from "../../db/schema";
import type { Deps } from "../deps";
import { newId } from "../lib/crypto";
import { eventRunner } from "./sender";
import type { EventDataByType, EventType, SeatkeyEvent } from "./types";

/** Whether an endpoint's space-separated filter (empty: everything) takes `type`. */
export function wantsType(filter: string, type: EventType): boolean {
  return filter === "" || filter.split(" ").includes(type);
}

type QueueDeps = Pick<Deps, "clock"> | Deps;

/**
 * Queues event `type` for every endpoint subscribed to it, inside the caller's write transaction.
 * With full deps the sender starts right after the commit; otherwise the poller sends it within
 * a few seconds. Returns how many deliveries were queued.
 */
export function queueEventIn<T extends EventType>(
  tx: Tx,
  deps: QueueDeps,
  type: T,
  data: EventDataByType[T],
): Promise<number> {
  return queueEventsIn(tx, deps, [{ type, data } as SeatkeyEvent]);
}

/** Several events with one read of the endpoints (e.g. every session a change revoked). */
export async function queueEventsIn(tx: Tx, deps: QueueDeps, events: SeatkeyEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const endpoints = await tx
    .select({ id: eventEndpoints.id, eventTypes: eventEndpoints.eventTypes })
    .from(eventEndpoints)
    .where(eq(eventEndpoints.enabled, true));
  if (endpoints.length === 0) return 0;
  const now = deps.clock.now();
  const timestamp = new Date(now).toISOString();
  const rows = events.flatMap(({ type, data }) => {
    const payload = JSON.stringify({ type, timestamp, data });
    return endpoints
      .filter((e) => wantsType(e.eventTypes, type))
      .map((e) => ({
        id: `msg_${newId()}`,
        endpointId: e.id,
        eventType: type,
        payload,
        nextAttemptAt: now,
        createdAt: now,
      }));
  });
  if (rows.length === 0) return 0;
  await tx.insert(eventDeliveries).values(rows);
  if ("outbox" in deps) deps.db.afterCommit(tx, () => eventRunner(deps).kick());
  return rows.length;
}
