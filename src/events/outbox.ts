// Queueing events: one delivery row per enabled endpoint that wants the event's type, written in
// the caller's open write transaction, so an event is sent if and only if its change commits.
import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { eventDeliveries, eventEndpoints } from "../../db/schema";
import type { Deps } from "../deps";
import { newId } from "../lib/crypto";
import { eventRunner } from "./sender";
import type { EventDataByType, EventType } from "./types";

/** Whether an endpoint's space-separated filter (empty: everything) takes `type`. */
export function wantsType(filter: string, type: EventType): boolean {
  return filter === "" || filter.split(" ").includes(type);
}

/**
 * Queues event `type` for every endpoint subscribed to it, inside the caller's write transaction.
 * With full deps the sender starts right after the commit; otherwise the poller sends it within
 * a few seconds. Returns how many deliveries were queued.
 */
export async function queueEventIn<T extends EventType>(
  tx: Tx,
  deps: Pick<Deps, "clock"> | Deps,
  type: T,
  data: EventDataByType[T],
): Promise<number> {
  const endpoints = await tx
    .select({ id: eventEndpoints.id, eventTypes: eventEndpoints.eventTypes })
    .from(eventEndpoints)
    .where(eq(eventEndpoints.enabled, true));
  const targets = endpoints.filter((e) => wantsType(e.eventTypes, type));
  if (targets.length === 0) return 0;
  const now = deps.clock.now();
  const payload = JSON.stringify({ type, timestamp: new Date(now).toISOString(), data });
  await tx.insert(eventDeliveries).values(
    targets.map((endpoint) => ({
      id: `msg_${newId()}`,
      endpointId: endpoint.id,
      eventType: type,
      payload,
      nextAttemptAt: now,
      createdAt: now,
    })),
  );
  if ("outbox" in deps) deps.db.afterCommit(tx, () => eventRunner(deps).kick());
  return targets.length;
}
