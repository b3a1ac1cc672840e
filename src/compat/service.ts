// Compatibility with apps and stores written for auth-license-server (README "Moving from
// auth-license-server"): its integer ids (through legacy-ids), its create-license defaults, and
// its answers, which carry the whole user (with sessions, licenses and webhooks) as its client expects.
import { getUserDetail } from "../admin/service";
import type { Deps } from "../deps";
import { resolveLegacyId, type LegacyKind } from "../import/legacy-ids";
import { licenseOwner } from "../licenses/service";

const ID_FIELDS: Record<string, LegacyKind> = { userId: "user", licenseId: "license", webhookId: "webhook" };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A user as auth-license-server answered one: dates as ISO strings, never a token or hash. */
export async function legacyUserView(deps: Deps, userId: string) {
  const { user, licenses, sessions, webhooks } = await getUserDetail(deps, userId);
  return {
    id: user.id,
    createdAt: iso(user.createdAt),
    updatedAt: iso(user.updatedAt),
    email: user.email,
    name: user.name,
    role: user.role,
    status: user.status,
    sessions: sessions.map((s) => ({
      id: s.id,
      createdAt: iso(s.createdAt),
      updatedAt: iso(s.lastUsedAt),
      userAgent: s.userAgent,
      country: s.country,
      city: s.city,
      region: s.region,
      limited: s.limited,
      userId: user.id,
    })),
    licenses: licenses.map((l) => ({
      id: l.id,
      createdAt: iso(l.createdAt),
      updatedAt: iso(l.updatedAt),
      validUntil: iso(l.validUntil),
      productId: l.productId,
      seats: l.seats,
      userId: user.id,
    })),
    webhooks: webhooks
      .filter((w) => w.revokedAt === null)
      .map((w) => ({
        id: w.id,
        createdAt: iso(w.createdAt),
        updatedAt: iso(w.createdAt),
        name: w.name,
        userId: user.id,
      })),
  };
}

/**
 * An auth-license-server delivery as seatkey's action: old integer ids become ours, and
 * create-license gets its defaults (DEFAULT_PRODUCT_ID, one seat).
 */
export async function translateDelivery(deps: Deps, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out = { ...body };
  for (const [field, kind] of Object.entries(ID_FIELDS)) {
    const value = out[field];
    if (typeof value === "number" || typeof value === "string") out[field] = await resolveLegacyId(deps, kind, value);
  }
  if (typeof out.sessionId === "number") out.sessionId = String(out.sessionId);
  if (out.action === "create-license") {
    out.seats ??= 1;
    out.productId ??= deps.config.defaultProductId; // still missing without it: the action's 400 names it
  }
  return out;
}

/** The user a delivery is about, found before it runs (a deleted license no longer names its user). */
export async function userBefore(deps: Deps, body: Record<string, unknown>): Promise<string | undefined> {
  if (body.action === "delete-license" && typeof body.licenseId === "string") return licenseOwner(deps, body.licenseId);
  return undefined;
}

/** The user a successful action's answer names. */
export function userAfter(response: Record<string, unknown>): string | undefined {
  const pick = (o: unknown, key: string) =>
    typeof o === "object" && o !== null ? (o as Record<string, unknown>)[key] : undefined;
  const id =
    pick(response.user, "id") ??
    pick(response.license, "userId") ??
    pick(response.webhook, "createdBy") ??
    response.userId;
  return typeof id === "string" ? id : undefined;
}
