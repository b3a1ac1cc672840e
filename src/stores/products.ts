// The product map of a store endpoint: the store's price / variant / product id → the seatkey
// `productId` it grants, seats per unit bought, and for one-time purchases a term (or perpetual).
// Plain use cases (setMapping, listMappings, removeMapping) for the admin API and the operator CLI.
import { and, eq, inArray } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { storeProducts, type StoreProduct } from "../../db/schema";
import type { Deps } from "../deps";
import { badRequest, notFound } from "../errors";
import { MAX_PRODUCT_NAME } from "../licenses/service";
import type { LineItem } from "./event";

export const MAX_SEATS_PER_UNIT = 10_000;
export const MAX_TERM_DAYS = 36_500;

export interface Mapping {
  webhookId: string;
  /** The store's id: a Stripe price or product, a Lemon Squeezy variant or product, a Paddle price or product, a Gumroad product. */
  externalId: string;
  productId: string;
  /** Given to the licenses this entry grants as their productName; absent or null: none. */
  productName?: string | null | undefined;
  seatsPerUnit?: number | undefined;
  /** One-time purchases: days the license lasts; null or absent = perpetual. */
  termDays?: number | null | undefined;
}

const MAX_ID = 200;

function checkMapping(input: Mapping) {
  for (const field of ["externalId", "productId"] as const) {
    const value = input[field].trim();
    if (value.length === 0 || value.length > MAX_ID) {
      throw badRequest("invalid_input", `${field} must be 1 to ${MAX_ID} characters`, field);
    }
  }
  if ((input.productName?.trim().length ?? 0) > MAX_PRODUCT_NAME) {
    throw badRequest("invalid_input", `productName must be at most ${MAX_PRODUCT_NAME} characters`, "productName");
  }
  const seats = input.seatsPerUnit ?? 1;
  if (!Number.isSafeInteger(seats) || seats < 1 || seats > MAX_SEATS_PER_UNIT) {
    throw badRequest(
      "invalid_input",
      `seatsPerUnit must be a whole number from 1 to ${MAX_SEATS_PER_UNIT}`,
      "seatsPerUnit",
    );
  }
  const term = input.termDays ?? null;
  if (term !== null && (!Number.isSafeInteger(term) || term < 1 || term > MAX_TERM_DAYS)) {
    throw badRequest(
      "invalid_input",
      `termDays must be a whole number from 1 to ${MAX_TERM_DAYS}, or null for perpetual`,
      "termDays",
    );
  }
  return { seats, term };
}

/** Adds or replaces one entry of an endpoint's product map. */
export async function setMapping(deps: Pick<Deps, "db" | "clock">, input: Mapping): Promise<StoreProduct> {
  const { seats, term } = checkMapping(input);
  const now = deps.clock.now();
  const productName = input.productName?.trim() || null;
  const values = {
    productId: input.productId.trim(),
    productName,
    seatsPerUnit: seats,
    termDays: term,
    updatedAt: now,
  };
  const [row] = await deps.db.write((tx) =>
    tx
      .insert(storeProducts)
      .values({ webhookId: input.webhookId, externalId: input.externalId.trim(), createdAt: now, ...values })
      .onConflictDoUpdate({ target: [storeProducts.webhookId, storeProducts.externalId], set: values })
      .returning(),
  );
  return row as StoreProduct;
}

export async function listMappings(deps: Pick<Deps, "db">, webhookId: string): Promise<StoreProduct[]> {
  return deps.db.orm
    .select()
    .from(storeProducts)
    .where(eq(storeProducts.webhookId, webhookId))
    .orderBy(storeProducts.externalId);
}

/** Removes one entry; 404 when there is none. Licenses already granted stay as they are. */
export async function removeMapping(deps: Pick<Deps, "db">, webhookId: string, externalId: string): Promise<void> {
  const removed = await deps.db.write((tx) =>
    tx
      .delete(storeProducts)
      .where(and(eq(storeProducts.webhookId, webhookId), eq(storeProducts.externalId, externalId)))
      .returning({ externalId: storeProducts.externalId }),
  );
  if (removed.length === 0) throw notFound("mapping_not_found", `No product map entry for ${externalId}`);
}

export interface Grant {
  productId: string;
  productName: string | null;
  seats: number;
  /** The mapped entry's term (one-time purchases); null = perpetual. */
  termDays: number | null;
}

/**
 * What bought items grant under the map, one grant per product in the order first bought: seats =
 * quantity × seats per unit, added up per product. Undefined when no item is mapped.
 */
export async function grantsFor(tx: Tx, webhookId: string, items: LineItem[]): Promise<Grant[] | undefined> {
  const keys = [...new Set(items.flatMap((item) => item.keys))];
  if (keys.length === 0) return undefined;
  const rows = await tx
    .select()
    .from(storeProducts)
    .where(and(eq(storeProducts.webhookId, webhookId), inArray(storeProducts.externalId, keys)));
  const byKey = new Map(rows.map((row) => [row.externalId, row]));
  const byProduct = new Map<string, Grant>();
  for (const item of items) {
    const entry = item.keys.map((k) => byKey.get(k)).find((row) => row !== undefined);
    if (!entry) continue;
    const grant = byProduct.get(entry.productId) ?? {
      productId: entry.productId,
      productName: entry.productName,
      seats: 0,
      termDays: entry.termDays,
    };
    grant.seats += item.quantity * entry.seatsPerUnit;
    byProduct.set(entry.productId, grant);
  }
  return byProduct.size > 0 ? [...byProduct.values()] : undefined;
}
