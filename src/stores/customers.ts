// Store customers (the store's customer id → email, name, seatkey user) and the other ids a
// store uses for a purchase (aliases), so later events that name only those find it.
import { and, eq, inArray } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { storeCustomers, storeRefs } from "../../db/schema";
import type { StoreCustomer } from "./event";

export interface KnownCustomer {
  email: string;
  name: string | null;
}

/** Remembers who a store customer is (the newest email and name win). */
export async function rememberCustomerIn(
  tx: Tx,
  webhookId: string,
  customer: StoreCustomer & { id: string; email: string },
  userId: string | null,
  now: number,
): Promise<void> {
  const values = { email: customer.email, name: customer.name, updatedAt: now, ...(userId ? { userId } : {}) };
  await tx
    .insert(storeCustomers)
    .values({ webhookId, customerId: customer.id, ...values })
    .onConflictDoUpdate({ target: [storeCustomers.webhookId, storeCustomers.customerId], set: values });
}

/** The email and name of a customer: from the event itself, else from what the store said before. */
export async function knownCustomerIn(
  tx: Tx,
  webhookId: string,
  customer: StoreCustomer,
): Promise<KnownCustomer | undefined> {
  if (customer.email) return { email: customer.email, name: customer.name };
  if (!customer.id) return undefined;
  const row = await tx.query.storeCustomers.findFirst({
    where: and(eq(storeCustomers.webhookId, webhookId), eq(storeCustomers.customerId, customer.id)),
  });
  return row ? { email: row.email, name: customer.name ?? row.name } : undefined;
}

export async function addAliasesIn(tx: Tx, webhookId: string, externalRef: string, aliases: string[]): Promise<void> {
  const rows = aliases.filter((alias) => alias !== externalRef).map((alias) => ({ webhookId, alias, externalRef }));
  if (rows.length > 0) await tx.insert(storeRefs).values(rows).onConflictDoNothing();
}

/** The license refs that `refs` stand for: each one itself, plus what it is an alias of. */
export async function resolveRefsIn(tx: Tx, webhookId: string, refs: string[]): Promise<string[]> {
  if (refs.length === 0) return [];
  const rows = await tx
    .select({ externalRef: storeRefs.externalRef })
    .from(storeRefs)
    .where(and(eq(storeRefs.webhookId, webhookId), inArray(storeRefs.alias, refs)));
  return [...new Set([...refs, ...rows.map((r) => r.externalRef)])];
}
