// The audit log of security events. Details are JSON and never hold a password or token.
import { and, asc, desc, eq, gt, gte, like, or, type SQL } from "drizzle-orm";
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

export interface AuditQuery {
  userId?: string | undefined;
  /** "login" matches login.failed, login.succeeded…; "login.failed" only itself. */
  event?: string | undefined;
  /** Unix ms: events at or after. */
  since?: number | undefined;
  /** Events strictly after this one (id and time), oldest first: following the log. */
  after?: { at: number; id: string } | undefined;
  limit: number;
}

export interface AuditEntry {
  id: string;
  at: number;
  event: string;
  userId: string | null;
  actor: string | null;
  ip: string | null;
  detail: Record<string, unknown> | null;
}

/** Audit events, newest first (or, with `after`, the ones after it oldest first). */
export async function listAuditEvents(deps: Deps, query: AuditQuery): Promise<AuditEntry[]> {
  const where: (SQL | undefined)[] = [
    query.userId === undefined ? undefined : eq(auditLog.userId, query.userId),
    query.event === undefined
      ? undefined
      : or(eq(auditLog.event, query.event), like(auditLog.event, `${query.event}.%`)),
    query.since === undefined ? undefined : gte(auditLog.at, query.since),
    query.after === undefined
      ? undefined
      : or(gt(auditLog.at, query.after.at), and(eq(auditLog.at, query.after.at), gt(auditLog.id, query.after.id))),
  ];
  const order = query.after ? [asc(auditLog.at), asc(auditLog.id)] : [desc(auditLog.at), desc(auditLog.id)];
  const rows = await deps.db.orm
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(...order)
    .limit(query.limit);
  return rows.map((r) => ({
    ...r,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
  }));
}
