// What operators see of the event outbox, and replaying one delivery.
import { and, desc, eq, isNotNull, isNull, type SQL } from "drizzle-orm";
import { eventDeliveries } from "../../db/schema";
import type { Deps } from "../deps";
import { notFound } from "../errors";
import { eventRunner } from "./sender";

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

type Delivery = typeof eventDeliveries.$inferSelect;

function statusOf(d: Delivery): DeliveryStatus {
  if (d.deliveredAt !== null) return "delivered";
  return d.failedAt !== null ? "failed" : "pending";
}

export function toDeliveryView(d: Delivery) {
  return {
    id: d.id,
    endpointId: d.endpointId,
    eventType: d.eventType,
    status: statusOf(d),
    payload: JSON.parse(d.payload) as unknown,
    attempts: d.attempts,
    nextAttemptAt: statusOf(d) === "pending" ? d.nextAttemptAt : null,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    deliveredAt: d.deliveredAt,
    failedAt: d.failedAt,
    createdAt: d.createdAt,
  };
}

const STATUS_WHERE: Record<DeliveryStatus, SQL | undefined> = {
  pending: and(isNull(eventDeliveries.deliveredAt), isNull(eventDeliveries.failedAt)),
  delivered: isNotNull(eventDeliveries.deliveredAt),
  failed: isNotNull(eventDeliveries.failedAt),
};

/** The newest deliveries first, optionally of one endpoint and in one status. */
export async function listDeliveries(
  deps: Deps,
  query: { endpointId?: string | undefined; status?: DeliveryStatus | undefined; limit: number },
) {
  const rows = await deps.db.orm
    .select()
    .from(eventDeliveries)
    .where(
      and(
        query.endpointId ? eq(eventDeliveries.endpointId, query.endpointId) : undefined,
        query.status ? STATUS_WHERE[query.status] : undefined,
      ),
    )
    .orderBy(desc(eventDeliveries.createdAt), desc(eventDeliveries.id))
    .limit(query.limit);
  return rows.map(toDeliveryView);
}

/**
 * Sends a delivery again from scratch (a fresh set of retries), with the same webhook-id so a
 * receiver that did process it can tell. A delivery being sent right now keeps its lock.
 */
export async function replayDelivery(deps: Deps, id: string) {
  const now = deps.clock.now();
  const [row] = await deps.db.write((tx) =>
    tx
      .update(eventDeliveries)
      .set({ attempts: 0, nextAttemptAt: now, deliveredAt: null, failedAt: null, lastError: null, lastStatus: null })
      .where(eq(eventDeliveries.id, id))
      .returning(),
  );
  if (!row) throw notFound("delivery_not_found", "No event delivery with this id");
  eventRunner(deps).kick();
  return toDeliveryView(row);
}
