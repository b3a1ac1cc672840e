// Applying one normalized store event, inside one write transaction: customers are remembered,
// licenses upserted by (provider, external ref) through the licenses use cases, ends applied.
// An event older than the state already applied to its license never rolls it back.
import type { Tx } from "../../db/client";
import type { License, StoreProvider } from "../../db/schema";
import type { Deps } from "../deps";
import { createLicenseIn, findExternalLicenseIn, updateLicenseIn } from "../licenses/service";
import { mailPasswordLinkIn } from "../passwords/service";
import { findOrCreateUserIn } from "../users/service";
import { addAliasesIn, knownCustomerIn, rememberCustomerIn, resolveRefsIn } from "./customers";
import type { StoreChange, StoreEvent } from "./event";
import type { Outcome } from "./log";
import { grantFor } from "./products";

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
  const grant = change.items === null ? null : await grantFor(tx, ctx.webhookId, change.items);
  if (grant === undefined) {
    const ids = change.items === null ? [] : change.items.flatMap((item) => item.keys);
    return { status: "unmapped", error: `no product map entry for ${ids.join(", ")}`, wakes: [] };
  }
  if (grant !== null && grant.seats < 1) return { status: "ignored", error: "no seats bought (quantity 0)", wakes: [] };
  const validUntil = validUntilOf(ctx, event, change, grant?.termDays ?? null);
  const note = grant?.skipped.length ? `not granted (one license per purchase): ${grant.skipped.join(", ")}` : null;
  if (existing) {
    // An end that happened after this event keeps its date; product and seats still follow this event.
    const endedLater = (existing.externalEndedAt ?? 0) > event.occurredAt;
    await updateLicenseIn(
      tx,
      ctx.deps,
      existing.id,
      {
        productId: grant?.productId,
        productName: grant?.productName ?? undefined, // an entry without a name keeps the license's
        seats: grant?.seats,
        validUntil: endedLater ? undefined : validUntil,
        externalUpdatedAt: event.occurredAt,
      },
      { actor: ctx.actor },
    );
    await addAliasesIn(tx, ctx.webhookId, change.ref, change.aliases);
    return { status: "applied", error: note, wakes: refWakes(change), licenseId: existing.id };
  }
  if (grant === null) return parked(`ref:${change.ref}`, `waiting for the purchase of ${change.ref}`);
  const customer = await knownCustomerIn(tx, ctx.webhookId, change.customer);
  if (!customer) {
    if (!change.customer.id) return { status: "failed", error: "the event names no customer", wakes: [] };
    return parked(`customer:${change.customer.id}`, `waiting for customer ${change.customer.id}`);
  }
  const license = await grantNewLicense(tx, ctx, event, change, { ...grant, validUntil, ...customer });
  await addAliasesIn(tx, ctx.webhookId, change.ref, change.aliases);
  return { status: "applied", error: note, wakes: refWakes(change), licenseId: license.id };
}

const refWakes = (change: LicenseChange) => [change.ref, ...change.aliases].map((ref) => `ref:${ref}`);

async function grantNewLicense(
  tx: Tx,
  ctx: ApplyContext,
  event: StoreEvent,
  change: LicenseChange,
  grant: {
    productId: string;
    productName: string | null;
    seats: number;
    validUntil: number;
    email: string;
    name: string | null;
  },
): Promise<License> {
  const { deps } = ctx;
  const name = grant.name ?? grant.email.split("@")[0] ?? grant.email;
  const { user, created } = await findOrCreateUserIn(tx, deps, { email: grant.email, name });
  if (created) await mailPasswordLinkIn(tx, deps, user);
  if (change.customer.id) {
    const customer = { ...change.customer, id: change.customer.id, email: grant.email };
    await rememberCustomerIn(tx, ctx.webhookId, customer, user.id, deps.clock.now());
  }
  return createLicenseIn(
    tx,
    deps,
    {
      userId: user.id,
      productId: grant.productId,
      productName: grant.productName,
      seats: grant.seats,
      validUntil: grant.validUntil,
      provider: ctx.provider,
      externalRef: change.ref,
      externalUpdatedAt: event.occurredAt,
    },
    { actor: ctx.actor },
  );
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
  await updateLicenseIn(
    tx,
    ctx.deps,
    license.id,
    { validUntil: change.at, externalEndedAt: event.occurredAt },
    { actor: ctx.actor },
  );
  return { status: "applied", error: null, wakes: [], licenseId: license.id };
}
