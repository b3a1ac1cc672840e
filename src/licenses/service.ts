// Licenses: a user's right to `seats` seats of `productId` until `validUntil` (Unix ms).
// Plain functions of (tx, deps, input): the one place where licenses are created, changed and
// deleted — webhook actions, store events and the admin all call these, so the rule for what a
// change does to sessions (README "Seats", license changes) and its audit row hold for every caller.
import { and, asc, eq, gt, inArray, isNotNull, lt, or } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { licenses, type License, type WebhookProvider } from "../../db/schema";
import { auditIn } from "../audit/audit";
import type { Deps } from "../deps";
import { queueEventIn } from "../events/outbox";
import { badRequest, notFound } from "../errors";
import { changedFields } from "../lib/changes";
import { newId } from "../lib/crypto";
import { excessSeatedSessions } from "../seats/seats";
import { revokeProductSessionsIn, revokeSessionsIn } from "../sessions/revoke";
import { findUserIn } from "../users/service";

type LicenseDeps = Pick<Deps, "clock" | "config">;

export const MAX_SEATS = 100_000;
/** A product's display name ("Acme Pro"), shown instead of its id where people read it. */
export const MAX_PRODUCT_NAME = 100;
// Anything below this (March 1973 in ms) is almost surely Unix *seconds* sent by mistake.
const MIN_PLAUSIBLE_MS = 100_000_000_000;
// The latest date taken: the end of year 9999, the last one every date API and page can show.
export const MAX_VALID_UNTIL = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * "2031-01-01", "2031-01-01T00:00:00Z", "…+02:00" or Unix ms → Unix ms, at most the end of year 9999;
 * 400 naming `field` otherwise — also for a day that does not exist ("2031-02-30" is not March 2nd).
 */
export function parseValidUntil(value: string | number, field = "validUntil"): number {
  const ms = typeof value === "number" ? unixMs(value, field) : isoMs(value.trim(), field);
  if (ms > MAX_VALID_UNTIL) throw badRequest("invalid_input", `${field} must be no later than the year 9999`, field);
  return ms;
}

function unixMs(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < MIN_PLAUSIBLE_MS) {
    throw badRequest("invalid_input", `${field} must be Unix milliseconds (not seconds) or an ISO 8601 date`, field);
  }
  return value;
}

function isoMs(value: string, field: string): number {
  // A date-time needs its zone: without one, the server's local time zone would decide.
  const match = ISO_8601.exec(value);
  const ms = match ? Date.parse(value) : Number.NaN;
  if (!match || !Number.isFinite(ms)) {
    throw badRequest("invalid_input", `${field} must be an ISO 8601 date like 2031-01-31T00:00:00Z or Unix ms`, field);
  }
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    throw badRequest(
      "invalid_input",
      `${field}: ${match[1]}-${match[2]}-${match[3]} is not a day of the calendar`,
      field,
    );
  }
  return ms;
}

function assertSeats(seats: number) {
  if (!Number.isSafeInteger(seats) || seats < 1 || seats > MAX_SEATS) {
    throw badRequest("invalid_input", `seats must be a whole number from 1 to ${MAX_SEATS}`, "seats");
  }
}

/** A display name as stored: trimmed, null when blank; 400 naming productName when too long. */
function productNameOf(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const name = value.trim();
  if (name.length > MAX_PRODUCT_NAME) {
    throw badRequest("invalid_input", `productName must be at most ${MAX_PRODUCT_NAME} characters`, "productName");
  }
  return name || null;
}

export interface LicenseOptions {
  /** "webhook:<id>", "admin:<id>", "store:<provider>", "operator", … — on the audit row and the revocations. */
  actor: string;
}

export interface NewLicense {
  userId: string;
  productId: string;
  /** What people see instead of productId; absent or null: the id is shown. */
  productName?: string | null | undefined;
  seats: number;
  validUntil: string | number;
  /** A store's license: the store, its subscription or order id, and when the store event happened. */
  provider?: WebhookProvider;
  externalRef?: string;
  externalUpdatedAt?: number;
}

export async function createLicenseIn(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  input: NewLicense,
  options: LicenseOptions,
): Promise<License> {
  assertSeats(input.seats);
  const validUntil = parseValidUntil(input.validUntil);
  const user = await findUserIn(tx, input.userId); // 404 for an unknown user
  const now = deps.clock.now();
  const [created] = await tx
    .insert(licenses)
    .values({
      id: newId(),
      userId: user.id,
      productId: input.productId,
      productName: productNameOf(input.productName) ?? null,
      seats: input.seats,
      validUntil,
      provider: input.provider ?? null,
      externalRef: input.externalRef ?? null,
      externalUpdatedAt: input.externalUpdatedAt ?? null,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  const license = created as License;
  await auditIn(tx, deps, {
    event: "license.created",
    userId: user.id,
    actor: options.actor,
    detail: { licenseId: license.id, productId: license.productId, seats: license.seats, validUntil },
  });
  const { id: licenseId, userId, productId, seats } = license;
  await queueEventIn(tx, deps, "license.created", { licenseId, userId, productId, seats, validUntil });
  return license;
}

/**
 * Every license a store granted for purchase `ref`: the one keyed `ref` (its first product) and the
 * ones keyed `ref#<productId>` (its other products), through the unique (provider, external_ref) index.
 */
export async function findPurchaseLicensesIn(tx: Tx, provider: WebhookProvider, ref: string): Promise<License[]> {
  return tx.query.licenses.findMany({
    where: and(
      eq(licenses.provider, provider),
      // "$" follows "#": exactly the refs starting with `ref#`.
      or(eq(licenses.externalRef, ref), and(gt(licenses.externalRef, `${ref}#`), lt(licenses.externalRef, `${ref}$`))),
    ),
  });
}

/** The license a store granted under any of `refs` (its subscription or order id), if any. */
export async function findExternalLicenseIn(
  tx: Tx,
  provider: WebhookProvider,
  refs: string[],
): Promise<License | undefined> {
  if (refs.length === 0) return undefined;
  return tx.query.licenses.findFirst({
    where: and(eq(licenses.provider, provider), inArray(licenses.externalRef, refs)),
  });
}

export interface LicenseChanges {
  productId?: string | undefined;
  /** A new display name; null clears it (the id is shown again). */
  productName?: string | null | undefined;
  seats?: number | undefined;
  validUntil?: string | number | undefined;
  /** When the store event behind this change happened (store licenses only): a purchase, renewal or change … */
  externalUpdatedAt?: number | undefined;
  /** … or an end (refund, chargeback, expiry, cancellation). */
  externalEndedAt?: number | undefined;
}

export interface LicenseUpdate {
  license: License;
  /** Names of the fields whose value changed; empty when nothing did (then nothing happens). */
  changed: string[];
  /** Sessions signed out because their product now has fewer seats than seated sessions. */
  revokedSessions: number;
}

/**
 * Changes a license, and does to sessions only what the change requires: extending it or adding
 * seats signs no one out; fewer seats (or the seats moved to another product) sign out the
 * product's seated sessions beyond its seats, least recently used first; a validUntil in the past
 * revokes nothing (its sessions become limited at their next refresh). Audited as license.updated.
 */
export async function updateLicenseIn(
  tx: Tx,
  deps: LicenseDeps,
  licenseId: string,
  changes: LicenseChanges,
  options: LicenseOptions,
): Promise<LicenseUpdate> {
  if (changes.seats !== undefined) assertSeats(changes.seats);
  const next = {
    productId: changes.productId,
    productName: productNameOf(changes.productName),
    seats: changes.seats,
    validUntil: changes.validUntil === undefined ? undefined : parseValidUntil(changes.validUntil),
  };
  const license = await findLicenseIn(tx, licenseId);
  const { changed, set } = changedFields(license, next, ["productId", "productName", "seats", "validUntil"] as const);
  const stamp = changedFields(license, changes, ["externalUpdatedAt", "externalEndedAt"] as const).set;
  if (changed.length === 0) {
    if (Object.keys(stamp).length > 0) await tx.update(licenses).set(stamp).where(eq(licenses.id, licenseId));
    return { license: { ...license, ...stamp }, changed, revokedSessions: 0 };
  }
  const [row] = await tx
    .update(licenses)
    .set({ ...set, ...stamp, updatedAt: deps.clock.now() })
    .where(eq(licenses.id, licenseId))
    .returning();
  const updated = row as License;
  const fewerSeats = updated.seats < license.seats || updated.productId !== license.productId;
  const stillValid = updated.validUntil > deps.clock.now();
  const revokedSessions =
    fewerSeats && stillValid ? await revokeBeyondSeatsIn(tx, deps, license, "seats_reduced", options) : 0;
  await auditIn(tx, deps, {
    event: "license.updated",
    userId: license.userId,
    actor: options.actor,
    detail: {
      licenseId,
      changed,
      before: pick(license, changed),
      after: pick(updated, changed),
      revokedSessions,
    },
  });
  await queueEventIn(tx, deps, "license.updated", { licenseId, userId: license.userId, changed });
  return { license: updated, changed, revokedSessions };
}

/**
 * Deletes a license and revokes its product's sessions — all of them when no valid license of the
 * product remains, else only the seated ones beyond the seats left. Audited as license.deleted.
 */
export async function deleteLicenseIn(
  tx: Tx,
  deps: LicenseDeps,
  licenseId: string,
  options: LicenseOptions,
): Promise<{ license: License; revokedSessions: number }> {
  const license = await findLicenseIn(tx, licenseId);
  await tx.delete(licenses).where(eq(licenses.id, licenseId));
  const sameProductLeft = await tx.query.licenses.findFirst({
    where: and(
      eq(licenses.userId, license.userId),
      eq(licenses.productId, license.productId),
      gt(licenses.validUntil, deps.clock.now()),
    ),
  });
  const revokedSessions = sameProductLeft
    ? await revokeBeyondSeatsIn(tx, deps, license, "license_deleted", options)
    : await revokeProductSessionsIn(tx, deps, license.userId, license.productId, {
        reason: "license_deleted",
        ...options,
      });
  await auditIn(tx, deps, {
    event: "license.deleted",
    userId: license.userId,
    actor: options.actor,
    detail: { licenseId, productId: license.productId, seats: license.seats, revokedSessions },
  });
  const { userId, productId } = license;
  await queueEventIn(tx, deps, "license.deleted", { licenseId, userId, productId });
  return { license, revokedSessions };
}

/** Signs out the seated sessions of the license's product beyond its seats now. */
async function revokeBeyondSeatsIn(
  tx: Tx,
  deps: LicenseDeps,
  license: License,
  reason: string,
  options: LicenseOptions,
): Promise<number> {
  const excess = await excessSeatedSessions(tx, deps, license.userId, license.productId);
  return revokeSessionsIn(tx, deps, excess, { reason, ...options });
}

const pick = (license: License, fields: string[]) =>
  Object.fromEntries(fields.map((f) => [f, license[f as keyof License]]));

async function findLicenseIn(tx: Tx, licenseId: string): Promise<License> {
  const license = await tx.query.licenses.findFirst({ where: eq(licenses.id, licenseId) });
  if (!license) throw notFound("license_not_found", "No license with this licenseId");
  return license;
}

/** Licenses of the given users, grouped by user id (one query). */
export async function licensesByUser(deps: Deps, userIds: string[]): Promise<Map<string, License[]>> {
  const byUser = new Map<string, License[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return byUser;
  const rows = await deps.db.orm.select().from(licenses).where(inArray(licenses.userId, userIds));
  for (const row of rows) byUser.get(row.userId)?.push(row);
  return byUser;
}

/** The id of the user holding a license, if there is such a license. */
export async function licenseOwner(deps: Deps, licenseId: string): Promise<string | undefined> {
  const [row] = await deps.db.orm.select({ userId: licenses.userId }).from(licenses).where(eq(licenses.id, licenseId));
  return row?.userId;
}

/** The display names of a user's products: productId → the name its most recently changed named license gives. */
export async function productNames(deps: Pick<Deps, "db">, userId: string): Promise<Map<string, string>> {
  const rows = await deps.db.orm
    .select({ productId: licenses.productId, productName: licenses.productName })
    .from(licenses)
    .where(and(eq(licenses.userId, userId), isNotNull(licenses.productName)))
    .orderBy(asc(licenses.updatedAt));
  return new Map(rows.map((row) => [row.productId, row.productName ?? row.productId]));
}
