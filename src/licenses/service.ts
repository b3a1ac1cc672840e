// Licenses: a user's right to `seats` seats of `productId` until `validUntil` (Unix ms).
// Plain functions of (tx | deps, input), callable from webhooks, admin code or scripts.
// Changing or deleting a license revokes the user's sessions (README "Seats"): they log in again and
// their seats are decided afresh.
import { eq, inArray } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { licenses, type License } from "../../db/schema";
import type { Deps } from "../deps";
import { queueEventIn } from "../events/outbox";
import { badRequest, notFound } from "../errors";
import { changedFields } from "../lib/changes";
import { newId } from "../lib/crypto";
import { revokeUserSessionsIn } from "../sessions/revoke";
import { findUserIn } from "../users/service";

export const MAX_SEATS = 100_000;
// Anything below this (March 1973 in ms) is almost surely Unix *seconds* sent by mistake.
const MIN_PLAUSIBLE_MS = 100_000_000_000;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** "2031-01-01", "2031-01-01T00:00:00Z", "…+02:00" or Unix ms → Unix ms; 400 naming `field` otherwise. */
export function parseValidUntil(value: string | number, field = "validUntil"): number {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < MIN_PLAUSIBLE_MS) {
      throw badRequest("invalid_input", `${field} must be Unix milliseconds (not seconds) or an ISO 8601 date`, field);
    }
    return value;
  }
  // A date-time needs its zone: without one, the server's local time zone would decide.
  const ms = ISO_8601.test(value.trim()) ? Date.parse(value.trim()) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw badRequest("invalid_input", `${field} must be an ISO 8601 date like 2031-01-31T00:00:00Z or Unix ms`, field);
  }
  return ms;
}

function assertSeats(seats: number) {
  if (!Number.isSafeInteger(seats) || seats < 1 || seats > MAX_SEATS) {
    throw badRequest("invalid_input", `seats must be a whole number from 1 to ${MAX_SEATS}`, "seats");
  }
}

export interface LicenseOptions {
  /** "webhook:<id>", "admin:<id>", "operator", … — recorded on the revocations it causes. */
  actor: string;
}

export interface NewLicense {
  userId: string;
  productId: string;
  seats: number;
  validUntil: string | number;
}

export async function createLicenseIn(tx: Tx, deps: Pick<Deps, "clock">, input: NewLicense): Promise<License> {
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
      seats: input.seats,
      validUntil,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  const license = created as License;
  const { id: licenseId, userId, productId, seats } = license;
  await queueEventIn(tx, deps, "license.created", { licenseId, userId, productId, seats, validUntil });
  return license;
}

export interface LicenseChanges {
  productId?: string | undefined;
  seats?: number | undefined;
  validUntil?: string | number | undefined;
}

export interface LicenseUpdate {
  license: License;
  /** Names of the fields whose value changed; empty when nothing did (then nothing is revoked). */
  changed: string[];
  revokedSessions: number;
}

export async function updateLicenseIn(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  licenseId: string,
  changes: LicenseChanges,
  options: LicenseOptions,
): Promise<LicenseUpdate> {
  if (changes.seats !== undefined) assertSeats(changes.seats);
  const next = {
    productId: changes.productId,
    seats: changes.seats,
    validUntil: changes.validUntil === undefined ? undefined : parseValidUntil(changes.validUntil),
  };
  const license = await findLicenseIn(tx, licenseId);
  const { changed, set } = changedFields(license, next, ["productId", "seats", "validUntil"] as const);
  if (changed.length === 0) return { license, changed, revokedSessions: 0 };
  const [updated] = await tx
    .update(licenses)
    .set({ ...set, updatedAt: deps.clock.now() })
    .where(eq(licenses.id, licenseId))
    .returning();
  const revokedSessions = await revokeUserSessionsIn(tx, deps, license.userId, {
    reason: "license_changed",
    ...options,
  });
  await queueEventIn(tx, deps, "license.updated", { licenseId, userId: license.userId, changed });
  return { license: updated as License, changed, revokedSessions };
}

export async function deleteLicenseIn(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  licenseId: string,
  options: LicenseOptions,
): Promise<{ license: License; revokedSessions: number }> {
  const license = await findLicenseIn(tx, licenseId);
  await tx.delete(licenses).where(eq(licenses.id, licenseId));
  const revokedSessions = await revokeUserSessionsIn(tx, deps, license.userId, {
    reason: "license_deleted",
    ...options,
  });
  const { userId, productId } = license;
  await queueEventIn(tx, deps, "license.deleted", { licenseId, userId, productId });
  return { license, revokedSessions };
}

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
