// Applying one normalized store event, inside one write transaction: customers are remembered,
// licenses upserted by (provider, external ref) through the licenses use cases, ends applied.
// An event older than the state already applied to its license never rolls it back.
import type { Tx } from "../../db/client";
import type { License, StoreProvider } from "../../db/schema";
import type { Deps } from "../deps";
import {
  createLicenseIn,
  findExternalLicenseIn,
  findPurchaseLicensesIn,
  type LicenseChanges,
  updateLicenseIn,
} from "../licenses/service";
import { mailPasswordLinkIn } from "../passwords/service";
import { findOrCreateUserIn } from "../users/service";
import { addAliasesIn, knownCustomerIn, rememberCustomerIn, resolveRefsIn } from "./customers";
import type { StoreChange, StoreEvent } from "./event";
import type { Outcome } from "./log";
import { type Grant, grantsFor } from "./products";

/** The end of time for perpetual licenses (the license service caps dates at year 9999). */
const PERPETUAL = Date.UTC(9999, 11, 31);
const DAY_MS = 86_400_000;
const STALE = "older than the license's state: nothing changed";

export interface ApplyContext {
  deps: Deps;
  webhookId: string;
  provider: StoreProvider;
  /** "webhook:<id>": recorded on the audit rows and revocations the change causes. */
  actor: string;
}

export interface Applied extends Outcome {
  /** Parking keys this event may have satisfied ("customer:…", "ref:…"). */
  wakes: string[];
  licenseId?: string;
}

type LicenseChange = Extract<StoreChange, { kind: "license" }>;
type EndChange = Extract<StoreChange, { kind: "end" }>;

const parked = (waitingFor: string, error: string): Applied => ({ status: "parked", error, waitingFor, wakes: [] });

export async function applyIn(tx: Tx, ctx: ApplyContext, event: StoreEvent): Promise<Applied> {
  const change = event.change;
  switch (change.kind) {
    case "ignored":
      return { status: "ignored", error: change.reason, wakes: [] };
    case "customer":
      return applyCustomer(tx, ctx, change.customer);
    case "license":
      return applyLicense(tx, ctx, event, change);
    case "end":
      return applyEnd(tx, ctx, event, change);
  }
}

async function applyCustomer(
  tx: Tx,
  ctx: ApplyContext,
  customer: Extract<StoreChange, { kind: "customer" }>["customer"],
): Promise<Applied> {
  if (!customer.id || !customer.email) return { status: "ignored", error: "customer without id or email", wakes: [] };
  await rememberCustomerIn(
    tx,
    ctx.webhookId,
    { ...customer, id: customer.id, email: customer.email },
    null,
    ctx.deps.clock.now(),
  );
  return { status: "applied", error: null, wakes: [`customer:${customer.id}`] };
}

/** The license's end: the paid period plus grace, or the cancellation date, or the one-time term. */
function validUntilOf(ctx: ApplyContext, event: StoreEvent, change: LicenseChange, termDays: number | null): number {
  if (change.endsAt !== null) return change.endsAt;
  if (change.paidUntil !== null) return change.paidUntil + ctx.deps.config.storeRenewalGrace * 1000;
  return termDays === null ? PERPETUAL : event.occurredAt + termDays * DAY_MS;
}

async function applyLicense(tx: Tx, ctx: ApplyContext, event: StoreEvent, change: LicenseChange): Promise<Applied> {
  const existing = await findExternalLicenseIn(tx, ctx.provider, [change.ref]);
  if (existing && (change.createOnly || event.occurredAt < (existing.externalUpdatedAt ?? 0))) {
    return { status: "applied", error: STALE, wakes: [], licenseId: existing.id };
  }
  if (change.items === "fetch") {
    return {
      status: "unmapped",
      error: "no line items: set metadata.seatkey_price on the checkout, or STRIPE_API_KEY",
      wakes: [],
    };
  }
  const mapped = change.items === null ? null : await grantsFor(tx, ctx.webhookId, change.items);
  if (mapped === undefined) {
    const ids = change.items === null ? [] : change.items.flatMap((item) => item.keys);
    return { status: "unmapped", error: `no product map entry for ${ids.join(", ")}`, wakes: [] };
  }
  const grants = mapped === null ? null : mapped.filter((g) => g.seats > 0);
  if (grants?.length === 0) return { status: "ignored", error: "no seats bought (quantity 0)", wakes: [] };
  if (existing) {
    await updatePurchaseIn(tx, ctx, event, change, { userId: existing.userId, grants });
    await addAliasesIn(tx, ctx.webhookId, change.ref, change.aliases);
    return { status: "applied", error: null, wakes: refWakes(change), licenseId: existing.id };
  }
  if (grants === null) return parked(`ref:${change.ref}`, `waiting for the purchase of ${change.ref}`);
  const customer = await knownCustomerIn(tx, ctx.webhookId, change.customer);
  if (!customer) {
    if (!change.customer.id) return { status: "failed", error: "the event names no customer", wakes: [] };
    return parked(`customer:${change.customer.id}`, `waiting for customer ${change.customer.id}`);
  }
  const license = await grantNewLicenses(tx, ctx, event, change, { grants, ...customer });
  await addAliasesIn(tx, ctx.webhookId, change.ref, change.aliases);
  return { status: "applied", error: null, wakes: refWakes(change), licenseId: license.id };
}

const refWakes = (change: LicenseChange) => [change.ref, ...change.aliases].map((ref) => `ref:${ref}`);

/**
 * A purchase of several products grants one license per product: the first product's is keyed by
 * the purchase itself (`ref`), each other one by `ref#<productId>`.
 */
const refOf = (ref: string, grants: Grant[], grant: Grant) => (grant === grants[0] ? ref : `${ref}#${grant.productId}`);

/** A license of a purchase from a store event that happened at `event.occurredAt`. */
function storeLicense(ctx: ApplyContext, event: StoreEvent, change: LicenseChange, grant: Grant, userId: string) {
  return {
    userId,
    productId: grant.productId,
    productName: grant.productName ?? undefined, // an entry without a name leaves the license's as it is
    seats: grant.seats,
    validUntil: validUntilOf(ctx, event, change, grant.termDays),
    provider: ctx.provider,
    externalUpdatedAt: event.occurredAt,
  };
}

/**
 * A known purchase changed (renewal, quantity or plan change, cancellation date): each of its
 * licenses follows its grant — created for a product newly bought, ended now for one no longer
 * bought. Without grants (the event names no items) only their dates move. An end that happened
 * after this event keeps its date.
 */
async function updatePurchaseIn(
  tx: Tx,
  ctx: ApplyContext,
  event: StoreEvent,
  change: LicenseChange,
  purchase: { userId: string; grants: Grant[] | null },
): Promise<void> {
  const { grants } = purchase;
  const owned = await findPurchaseLicensesIn(tx, ctx.provider, change.ref);
  const byRef = new Map(owned.map((license) => [license.externalRef, license]));
  const update = (license: License, changes: LicenseChanges) =>
    updateLicenseIn(tx, ctx.deps, license.id, changes, { actor: ctx.actor });
  const endedLater = (license: License) => (license.externalEndedAt ?? 0) > event.occurredAt;
  if (grants === null) {
    const validUntil = validUntilOf(ctx, event, change, null);
    for (const license of owned) {
      await update(license, {
        validUntil: endedLater(license) ? undefined : validUntil,
        externalUpdatedAt: event.occurredAt,
      });
    }
    return;
  }
  for (const grant of grants) {
    const ref = refOf(change.ref, grants, grant);
    const license = byRef.get(ref);
    byRef.delete(ref);
    const next = storeLicense(ctx, event, change, grant, purchase.userId);
    if (!license) await createLicenseIn(tx, ctx.deps, { ...next, externalRef: ref }, { actor: ctx.actor });
    else await update(license, { ...next, validUntil: endedLater(license) ? undefined : next.validUntil });
  }
  for (const dropped of byRef.values()) {
    const validUntil = Math.min(dropped.validUntil, event.occurredAt);
    await update(dropped, { validUntil, externalUpdatedAt: event.occurredAt, externalEndedAt: event.occurredAt });
  }
}

/** A new purchase: its user found by email or created (and mailed a link), a license per product. */
async function grantNewLicenses(
  tx: Tx,
  ctx: ApplyContext,
  event: StoreEvent,
  change: LicenseChange,
  purchase: { grants: Grant[]; email: string; name: string | null },
): Promise<License> {
  const { deps } = ctx;
  const name = purchase.name ?? purchase.email.split("@")[0] ?? purchase.email;
  const { user, created } = await findOrCreateUserIn(tx, deps, { email: purchase.email, name });
  if (created) await mailPasswordLinkIn(tx, deps, user);
  if (change.customer.id) {
    const customer = { ...change.customer, id: change.customer.id, email: purchase.email };
    await rememberCustomerIn(tx, ctx.webhookId, customer, user.id, deps.clock.now());
  }
  const licenses: License[] = [];
  for (const grant of purchase.grants) {
    const input = {
      ...storeLicense(ctx, event, change, grant, user.id),
      externalRef: refOf(change.ref, purchase.grants, grant),
    };
    licenses.push(await createLicenseIn(tx, deps, input, { actor: ctx.actor }));
  }
  const [first] = licenses;
  if (!first) throw new Error("a purchase without grants");
  return first;
}

async function applyEnd(tx: Tx, ctx: ApplyContext, event: StoreEvent, change: EndChange): Promise<Applied> {
  const refs = await resolveRefsIn(tx, ctx.webhookId, change.refs);
  const license = await findExternalLicenseIn(tx, ctx.provider, refs);
  if (!license) {
    const first = change.refs[0];
    if (!first) return { status: "failed", error: "the event names no purchase", wakes: [] };
    return parked(`ref:${first}`, `waiting for the purchase of ${change.refs.join(" / ")}`);
  }
  // A later purchase / renewal / resume, or a later end, already decided the date.
  if (event.occurredAt < Math.max(license.externalUpdatedAt ?? 0, license.externalEndedAt ?? 0)) {
    return { status: "applied", error: STALE, wakes: [], licenseId: license.id };
  }
  // Every license of the purchase ends with it (one per product bought).
  for (const each of await findPurchaseLicensesIn(tx, ctx.provider, license.externalRef ?? "")) {
    const changes = { validUntil: change.at, externalEndedAt: event.occurredAt };
    await updateLicenseIn(tx, ctx.deps, each.id, changes, { actor: ctx.actor });
  }
  return { status: "applied", error: null, wakes: [], licenseId: license.id };
}
