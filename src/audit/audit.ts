// The audit log of security events. Details are JSON and never hold a password or token.
import type { Tx } from "../../db/client";
import { auditLog } from "../../db/schema";
import type { Deps } from "../deps";
import { newId } from "../lib/crypto";

export interface AuditEvent {
  event: string;
  userId?: string | null;
  actor?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

function row(deps: Pick<Deps, "clock">, e: AuditEvent) {
  return {
    id: newId(),
    at: deps.clock.now(),
    event: e.event,
    userId: e.userId ?? null,
    actor: e.actor ?? null,
    ip: e.ip ?? null,
    detail: e.detail ? JSON.stringify(e.detail) : null,
  };
}

/** Record inside an open write transaction (atomic with the change it describes). */
export async function auditIn(tx: Tx, deps: Pick<Deps, "clock">, e: AuditEvent): Promise<void> {
  await tx.insert(auditLog).values(row(deps, e));
}

/** Record on its own. */
export async function audit(deps: Deps, e: AuditEvent): Promise<void> {
  await deps.db.write((tx) => auditIn(tx, deps, e));
}
