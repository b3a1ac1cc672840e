// Event endpoints: the seller's URLs that receive signed events. Plain use cases of
// (deps, input) for the admin API and the CLI. The whsec_… secret is returned once, at creation
// and at rotation, and kept sealed with SECRET_KEY (it must be read back to sign).
import { randomBytes } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { eventEndpoints } from "../../db/schema";
import { auditIn } from "../audit/audit";
import type { Deps } from "../deps";
import { badRequest, notFound } from "../errors";
import { newId, seal } from "../lib/crypto";
import { queueMailIn } from "../mail/outbox";
import { activeAdminsIn } from "../users/service";
import { urlProblem } from "./http";
import { isEventType } from "./types";

/** An endpoint whose deliveries have failed without a single success for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 86_400_000;
/** Default overlap of a rotation: the previous secret also signs for this long. */
export const DEFAULT_OVERLAP_S = 86_400;
export const MAX_OVERLAP_S = 7 * 86_400;

type Endpoint = typeof eventEndpoints.$inferSelect;
/** What registering an endpoint needs (scripts and tests seed with no more than this). */
type CreateDeps = Pick<Deps, "db" | "clock"> & { keys: Pick<Deps["keys"], "secretKey"> };

export interface EndpointInput {
  url?: string | undefined;
  /** Event types to receive; empty or missing: every type. */
  eventTypes?: string[] | undefined;
  description?: string | undefined;
  enabled?: boolean | undefined;
}

/** What may be shown of an endpoint: never its secrets. */
export function toEndpointView(e: Endpoint) {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes === "" ? [] : e.eventTypes.split(" "),
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    failingSince: e.failingSince,
    previousSecretUntil: e.previousSecretUntil,
    createdBy: e.createdBy,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
export type EndpointView = ReturnType<typeof toEndpointView>;

function newSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

function checkedUrl(url: string): string {
  const problem = urlProblem(url.trim());
  if (problem) throw badRequest("invalid_url", `url ${problem}`, "url");
  return url.trim();
}

function checkedTypes(types: string[]): string {
  const unknown = types.find((type) => !isEventType(type));
  if (unknown !== undefined) throw badRequest("invalid_event_type", `Unknown event type: ${unknown}`, "eventTypes");
  return [...new Set(types)].join(" ");
}

async function findIn(tx: Tx, id: string): Promise<Endpoint> {
  const endpoint = await tx.query.eventEndpoints.findFirst({ where: eq(eventEndpoints.id, id) });
  if (!endpoint) throw notFound("endpoint_not_found", "No event endpoint with this id");
  return endpoint;
}

export async function createEndpoint(
  deps: CreateDeps,
  input: EndpointInput & { url: string; createdBy: string },
): Promise<{ endpoint: EndpointView; secret: string }> {
  const now = deps.clock.now();
  const secret = newSecret();
  const row: Endpoint = {
    id: newId(),
    url: checkedUrl(input.url),
    description: input.description?.trim() ?? "",
    eventTypes: checkedTypes(input.eventTypes ?? []),
    secretSealed: seal(deps.keys.secretKey, secret),
    previousSecretSealed: null,
    previousSecretUntil: null,
    enabled: input.enabled ?? true,
    disabledReason: null,
    failingSince: null,
    createdBy: input.createdBy,
    createdAt: now,
    updatedAt: now,
  };
  await deps.db.write(async (tx) => {
    await tx.insert(eventEndpoints).values(row);
    await auditIn(tx, deps, {
      event: "event_endpoint.created",
      actor: `admin:${input.createdBy}`,
      detail: { endpointId: row.id, url: row.url },
    });
  });
  return { endpoint: toEndpointView(row), secret };
}

export async function listEndpoints(deps: Deps): Promise<EndpointView[]> {
  const rows = await deps.db.orm.select().from(eventEndpoints).orderBy(desc(eventEndpoints.createdAt));
  return rows.map(toEndpointView);
}

/** Changes url, filter, description or enabled; enabling again clears the failure record. */
export async function updateEndpoint(deps: Deps, id: string, input: EndpointInput, actor: string) {
  const set: Partial<Endpoint> = { updatedAt: deps.clock.now() };
  if (input.url !== undefined) set.url = checkedUrl(input.url);
  if (input.eventTypes !== undefined) set.eventTypes = checkedTypes(input.eventTypes);
  if (input.description !== undefined) set.description = input.description.trim();
  if (input.enabled !== undefined) {
    Object.assign(set, { enabled: input.enabled, disabledReason: input.enabled ? null : "disabled by an admin" });
    if (input.enabled) set.failingSince = null;
  }
  const updated = await deps.db.write(async (tx) => {
    await findIn(tx, id);
    const [row] = await tx.update(eventEndpoints).set(set).where(eq(eventEndpoints.id, id)).returning();
    const changed = Object.keys(input).filter((k) => input[k as keyof EndpointInput] !== undefined);
    await auditIn(tx, deps, { event: "event_endpoint.updated", actor, detail: { endpointId: id, changed } });
    return row as Endpoint;
  });
  return toEndpointView(updated);
}

/**
 * A new secret; the current one keeps signing (beside it) for `overlapSeconds`, so receivers can
 * switch without losing a delivery. Returns the new secret, once.
 */
export async function rotateEndpointSecret(deps: Deps, id: string, overlapSeconds: number, actor: string) {
  if (!Number.isInteger(overlapSeconds) || overlapSeconds < 0 || overlapSeconds > MAX_OVERLAP_S) {
    throw badRequest(
      "invalid_input",
      `overlapSeconds must be a whole number from 0 to ${MAX_OVERLAP_S}`,
      "overlapSeconds",
    );
  }
  const secret = newSecret();
  const now = deps.clock.now();
  const updated = await deps.db.write(async (tx) => {
    const current = await findIn(tx, id);
    const [row] = await tx
      .update(eventEndpoints)
      .set({
        secretSealed: seal(deps.keys.secretKey, secret),
        previousSecretSealed: overlapSeconds > 0 ? current.secretSealed : null,
        previousSecretUntil: overlapSeconds > 0 ? now + overlapSeconds * 1000 : null,
        updatedAt: now,
      })
      .where(eq(eventEndpoints.id, id))
      .returning();
    await auditIn(tx, deps, {
      event: "event_endpoint.secret_rotated",
      actor,
      detail: { endpointId: id, overlapSeconds },
    });
    return row as Endpoint;
  });
  return { endpoint: toEndpointView(updated), secret };
}

/** Deletes an endpoint and its deliveries. */
export async function deleteEndpoint(deps: Deps, id: string, actor: string): Promise<void> {
  await deps.db.write(async (tx) => {
    await findIn(tx, id);
    await tx.delete(eventEndpoints).where(eq(eventEndpoints.id, id));
    await auditIn(tx, deps, { event: "event_endpoint.deleted", actor, detail: { endpointId: id } });
  });
}

/**
 * After a delivery attempt: a success ends the endpoint's run of failures; a failure starts one,
 * and one that has lasted DISABLE_AFTER_MS disables the endpoint and mails every active admin.
 */
export async function recordEndpointResultIn(tx: Tx, deps: Deps, endpointId: string, ok: boolean): Promise<void> {
  const endpoint = await tx.query.eventEndpoints.findFirst({ where: eq(eventEndpoints.id, endpointId) });
  if (!endpoint) return;
  const now = deps.clock.now();
  if (ok) {
    if (endpoint.failingSince !== null) {
      await tx.update(eventEndpoints).set({ failingSince: null }).where(eq(eventEndpoints.id, endpointId));
    }
    return;
  }
  const since = endpoint.failingSince ?? now;
  if (!endpoint.enabled || now - since < DISABLE_AFTER_MS) {
    if (endpoint.failingSince === null) {
      await tx.update(eventEndpoints).set({ failingSince: now }).where(eq(eventEndpoints.id, endpointId));
    }
    return;
  }
  await disableFailingIn(tx, deps, endpoint, since);
}

async function disableFailingIn(tx: Tx, deps: Deps, endpoint: Endpoint, since: number) {
  const reason = `every delivery failed since ${new Date(since).toISOString()}`;
  await tx
    .update(eventEndpoints)
    .set({ enabled: false, disabledReason: reason, updatedAt: deps.clock.now() })
    .where(eq(eventEndpoints.id, endpoint.id));
  await auditIn(tx, deps, {
    event: "event_endpoint.disabled",
    actor: "system",
    detail: { endpointId: endpoint.id, reason },
  });
  for (const admin of await activeAdminsIn(tx)) {
    await queueMailIn(tx, deps, {
      to: admin.email,
      kind: "event-endpoint-disabled",
      data: { name: admin.name, url: endpoint.url, reason },
    });
  }
  deps.log.error("event endpoint disabled after failing for days", { endpointId: endpoint.id, url: endpoint.url });
}
