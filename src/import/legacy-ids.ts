// Ids brought in by an import: another server's id → ours. A re-run of the import finds what it
// already brought, and the compatibility routes accept the old integer ids (README "Moving from
// auth-license-server").
import { and, eq } from "drizzle-orm";
import type { Orm, Tx } from "../../db/client";
import { legacyIds } from "../../db/schema";
import type { Deps } from "../deps";

export const AUTH_LICENSE_SERVER = "auth-license-server";
export type LegacyKind = "user" | "license" | "webhook";

export async function findLegacyIdIn(
  tx: Tx | Orm,
  kind: LegacyKind,
  legacyId: string | number,
  source = AUTH_LICENSE_SERVER,
): Promise<string | undefined> {
  const [row] = await tx
    .select({ id: legacyIds.id })
    .from(legacyIds)
    .where(and(eq(legacyIds.source, source), eq(legacyIds.kind, kind), eq(legacyIds.legacyId, String(legacyId))));
  return row?.id;
}

/** The other server's id that became `id`, if `id` came from an import. */
export async function legacyIdOfIn(
  tx: Tx,
  kind: LegacyKind,
  id: string,
  source = AUTH_LICENSE_SERVER,
): Promise<string | undefined> {
  const [row] = await tx
    .select({ legacyId: legacyIds.legacyId })
    .from(legacyIds)
    .where(and(eq(legacyIds.source, source), eq(legacyIds.kind, kind), eq(legacyIds.id, id)));
  return row?.legacyId;
}

export async function recordLegacyIdIn(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  kind: LegacyKind,
  legacyId: string | number,
  id: string,
  source = AUTH_LICENSE_SERVER,
): Promise<void> {
  await tx.insert(legacyIds).values({ source, kind, legacyId: String(legacyId), id, importedAt: deps.clock.now() });
}

/** Our id for an id of auth-license-server (an integer); any other id is returned as it is. */
export async function resolveLegacyId(deps: Deps, kind: LegacyKind, id: string | number): Promise<string> {
  if (!/^\d{1,15}$/.test(String(id))) return String(id);
  return (await findLegacyIdIn(deps.db.orm, kind, id)) ?? String(id);
}
