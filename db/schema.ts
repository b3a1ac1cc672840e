// Every table of seatkey, in one place. Times are integer Unix milliseconds everywhere.
// No secret is stored in plaintext: tokens are kept as SHA-256 hex digests, and the few secrets
// that must be readable again (webhook signing secrets, queued mail bodies) are sealed with SECRET_KEY.
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const ROLES = ["ADMIN", "OWNER", "MANAGER"] as const;
export type Role = (typeof ROLES)[number];
export const USER_STATUSES = ["ACTIVE", "INACTIVE"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];
export const SESSION_KINDS = ["app", "account"] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];
// "seat_cooling_down": every seat is held or still cooling (a released seat counts until its last
// access token expires). "requested": the login asked for no seat (?limited=true,
// auth-license-server's trial mode) and keeps that at every refresh.
export const LIMITED_REASONS = ["no_license", "expired", "no_free_seat", "seat_cooling_down", "requested"] as const;
export type LimitedReason = (typeof LIMITED_REASONS)[number];
// Who sends a webhook endpoint its deliveries: seatkey's own actions, or a store's native events.
export const WEBHOOK_PROVIDERS = ["seatkey", "stripe", "lemonsqueezy", "paddle", "gumroad"] as const;
// What a seatkey-action token may do: "store" (the default) manages customers and can never grant,
// change or remove an ADMIN, nor revoke another token; "admin" may, and is only made on purpose.
export const WEBHOOK_SCOPES = ["store", "admin"] as const;
export type WebhookScope = (typeof WEBHOOK_SCOPES)[number];
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];
export type StoreProvider = Exclude<WebhookProvider, "seatkey">;
export const STORE_EVENT_STATUSES = ["received", "applied", "parked", "unmapped", "ignored", "failed"] as const;
export type StoreEventStatus = (typeof STORE_EVENT_STATUSES)[number];
export const EMAIL_TOKEN_PURPOSES = ["set-password", "reset-password"] as const;
export type EmailTokenPurpose = (typeof EMAIL_TOKEN_PURPOSES)[number];

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    // Stored lower-cased; the unique index makes the address unique case-insensitively.
    email: text("email").notNull(),
    name: text("name").notNull(),
    role: text("role", { enum: ROLES }).notNull().default("OWNER"),
    status: text("status", { enum: USER_STATUSES }).notNull().default("ACTIVE"),
    // Argon2id PHC string; null until the user sets a password. A bcrypt hash brought by an import
    // from auth-license-server stays until that user's next sign-in replaces it.
    passwordHash: text("password_hash"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(t.email),
    check("users_email_lower", sql`${t.email} = lower(${t.email})`),
  ],
);

export const licenses = sqliteTable(
  "licenses",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    productId: text("product_id").notNull(),
    // What people see instead of the id (the account page, the admin CLI); null: the id is shown.
    productName: text("product_name"),
    seats: integer("seats").notNull(),
    validUntil: integer("valid_until").notNull(),
    // Set on licenses a store granted: the store (provider) and its subscription or order id.
    provider: text("provider", { enum: WEBHOOK_PROVIDERS }),
    externalRef: text("external_ref"),
    // When the store events last applied to this license happened (the last purchase / renewal /
    // change, and the last end): an older event never rolls either back.
    externalUpdatedAt: integer("external_updated_at"),
    externalEndedAt: integer("external_ended_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("licenses_user_idx").on(t.userId, t.productId, t.validUntil),
    uniqueIndex("licenses_external_unique").on(t.provider, t.externalRef),
    check("licenses_seats_positive", sql`${t.seats} >= 1`),
  ],
);

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // "app": an API login that takes a seat; "account": the web pages' own sign-in, never a seat.
    kind: text("kind", { enum: SESSION_KINDS }).notNull(),
    // The product whose seats the session counts against: the one the login named, or the one an
    // unscoped login took a seat of. Null only while an unscoped session is limited (a product is
    // chosen again at its next refresh); account sessions have none.
    productId: text("product_id"),
    limited: integer("limited", { mode: "boolean" }).notNull().default(false),
    limitedReason: text("limited_reason", { enum: LIMITED_REASONS }),
    userAgent: text("user_agent"),
    ip: text("ip"),
    country: text("country"),
    city: text("city"),
    region: text("region"),
    createdAt: integer("created_at").notNull(),
    // The refresh is the heartbeat: a seat is held only while this is recent (SEAT_IDLE_TIMEOUT).
    lastUsedAt: integer("last_used_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    // When the last access token issued with a seat (limited: false) expires. Until then the seat
    // stays counted, even after logout or revocation (SEAT_RELEASE=cooldown).
    seatTokenExpiresAt: integer("seat_token_expires_at"),
    // When a seat this session gave back while cooling down frees (its seat_token_expires_at),
    // as long as the `seat.released` event saying so (reason cool_down_ended) is still to be
    // queued; null otherwise. The housekeeping clears it and queues the event in one transaction.
    seatFreeAnnounceAt: integer("seat_free_announce_at"),
    revokedAt: integer("revoked_at"),
    revokeReason: text("revoke_reason"),
    // SHA-256 of the current refresh (or account cookie) secret.
    tokenHash: text("token_hash").notNull(),
    // Rotation state: the hash of the secret just replaced, when, and the nonce from which the
    // successor was derived (so a retry inside the grace window gets the same successor back).
    previousTokenHash: text("previous_token_hash"),
    rotatedAt: integer("rotated_at"),
    rotationNonce: text("rotation_nonce"),
    // Space-separated hash prefixes of older secrets of this session, newest first, capped:
    // presenting one of them is refresh-token reuse.
    retiredTokenHashes: text("retired_token_hashes").notNull().default(""),
  },
  (t) => [
    index("sessions_user_idx").on(t.userId, t.kind, t.revokedAt),
    index("sessions_expires_idx").on(t.expiresAt),
    index("sessions_seat_free_announce_idx").on(t.seatFreeAnnounceAt),
  ],
);

export const webhookTokens = sqliteTable(
  "webhook_tokens",
  {
    id: text("id").primaryKey(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    name: text("name").notNull(),
    // What the endpoint takes: seatkey's actions, or one store's native events and its signature scheme only.
    provider: text("provider", { enum: WEBHOOK_PROVIDERS }).notNull().default("seatkey"),
    scope: text("scope", { enum: WEBHOOK_SCOPES }).notNull().default("store"),
    tokenHash: text("token_hash").notNull(),
    // Sealed with SECRET_KEY (it must be readable to verify HMAC signatures); null when unsigned.
    signingSecretSealed: text("signing_secret_sealed"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("webhook_tokens_hash_unique").on(t.tokenHash)],
);

export const emailTokens = sqliteTable(
  "email_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: EMAIL_TOKEN_PURPOSES }).notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("email_tokens_hash_unique").on(t.tokenHash), index("email_tokens_user_idx").on(t.userId)],
);

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    at: integer("at").notNull(),
    event: text("event").notNull(),
    userId: text("user_id"),
    // Who did it: "user:<id>", "admin:<id>", "webhook:<id>", "system", "operator".
    actor: text("actor"),
    ip: text("ip"),
    // JSON with event details; never a password or token.
    detail: text("detail"),
  },
  (t) => [index("audit_user_idx").on(t.userId, t.at), index("audit_at_idx").on(t.at)],
);

export const rateLimits = sqliteTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    count: integer("count").notNull(),
    windowStart: integer("window_start").notNull(),
  },
  (t) => [index("rate_limits_window_idx").on(t.windowStart)],
);

export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    // "<webhookId>:<Idempotency-Key or event id>"
    key: text("key").primaryKey(),
    webhookId: text("webhook_id").notNull(),
    // null while the first request is still being processed.
    status: integer("status"),
    response: text("response"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("webhook_events_created_idx").on(t.createdAt)],
);

export const mailOutbox = sqliteTable(
  "mail_outbox",
  {
    id: text("id").primaryKey(),
    to: text("to_address").notNull(),
    // Sealed JSON { subject, html, text }: mails carry one-time links.
    messageSealed: text("message_sealed").notNull(),
    kind: text("kind").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    // Set while a process is sending it, so several processes never send one mail twice.
    lockedUntil: integer("locked_until").notNull().default(0),
    sentAt: integer("sent_at"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("mail_outbox_due_idx").on(t.sentAt, t.nextAttemptAt)],
);

// The product map of a store endpoint: a store's price / variant / product id → what it grants.
export const storeProducts = sqliteTable(
  "store_products",
  {
    webhookId: text("webhook_id")
      .notNull()
      .references(() => webhookTokens.id, { onDelete: "cascade" }),
    externalId: text("external_id").notNull(),
    productId: text("product_id").notNull(),
    // Given to the licenses this entry grants (their productName); null: they keep theirs.
    productName: text("product_name"),
    seatsPerUnit: integer("seats_per_unit").notNull(),
    // One-time purchases: how long the license lasts; null = perpetual. Subscriptions follow their period.
    termDays: integer("term_days"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.webhookId, t.externalId] }),
    check("store_products_seats_positive", sql`${t.seatsPerUnit} >= 1`),
  ],
);

// A store's customers, linked to the seatkey user with their email once known.
export const storeCustomers = sqliteTable(
  "store_customers",
  {
    webhookId: text("webhook_id")
      .notNull()
      .references(() => webhookTokens.id, { onDelete: "cascade" }),
    customerId: text("customer_id").notNull(),
    email: text("email").notNull(),
    name: text("name"),
    userId: text("user_id").references(() => users.id, { onDelete: "set null" }),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.webhookId, t.customerId] }), index("store_customers_user_idx").on(t.userId)],
);

// Other ids a store uses for the object behind a license (an invoice, a payment, an order), so a
// refund or dispute that names only those finds the license.
export const storeRefs = sqliteTable(
  "store_refs",
  {
    webhookId: text("webhook_id")
      .notNull()
      .references(() => webhookTokens.id, { onDelete: "cascade" }),
    alias: text("alias").notNull(),
    externalRef: text("external_ref").notNull(),
  },
  (t) => [primaryKey({ columns: [t.webhookId, t.alias] })],
);

// Every verified store event, stored before it is applied: deduplication, parking, re-apply, and
// what operators see.
export const storeEvents = sqliteTable(
  "store_events",
  {
    id: text("id").primaryKey(),
    webhookId: text("webhook_id")
      .notNull()
      .references(() => webhookTokens.id, { onDelete: "cascade" }),
    provider: text("provider", { enum: WEBHOOK_PROVIDERS }).notNull(),
    // The store's event id, or for stores that send none a key derived from the event and its body.
    eventKey: text("event_key").notNull(),
    type: text("type").notNull(),
    occurredAt: integer("occurred_at").notNull(),
    receivedAt: integer("received_at").notNull(),
    status: text("status", { enum: STORE_EVENT_STATUSES }).notNull(),
    // Why it is parked, unmapped, ignored or failed.
    error: text("error"),
    // A parked event waits for this: "customer:<store customer id>" or "ref:<external ref>".
    waitingFor: text("waiting_for"),
    // The raw body sealed with SECRET_KEY (store objects can carry payment client secrets); for re-apply.
    bodySealed: text("body_sealed").notNull(),
    appliedAt: integer("applied_at"),
  },
  (t) => [
    uniqueIndex("store_events_key_unique").on(t.webhookId, t.eventKey),
    index("store_events_waiting_idx").on(t.webhookId, t.waitingFor),
    index("store_events_status_idx").on(t.status, t.receivedAt),
  ],
);

// Rows brought in by `bun run admin import auth-license-server`: the other server's integer id →
// ours, so a re-run changes nothing and its old ids keep working on the compatibility routes.
export const legacyIds = sqliteTable(
  "legacy_ids",
  {
    source: text("source").notNull(),
    // "user" | "license" | "webhook"
    kind: text("kind").notNull(),
    legacyId: text("legacy_id").notNull(),
    id: text("id").notNull(),
    importedAt: integer("imported_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.source, t.kind, t.legacyId] })],
);

export type User = typeof users.$inferSelect;
export type License = typeof licenses.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type WebhookToken = typeof webhookTokens.$inferSelect;
export type EmailToken = typeof emailTokens.$inferSelect;
export type StoreProduct = typeof storeProducts.$inferSelect;
export type StoreEventRow = typeof storeEvents.$inferSelect;

// Resource servers that may ask POST /api/auth/introspect (owned by src/introspection).
export const introspectionClients = sqliteTable("introspection_clients", {
  // The client_id of HTTP Basic.
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  // SHA-256 of the client secret, which is shown once at creation.
  secretHash: text("secret_hash").notNull(),
  createdBy: text("created_by"),
  createdAt: integer("created_at").notNull(),
  revokedAt: integer("revoked_at"),
});

// The seller's systems that subscribe to signed events (owned by src/events).
export const eventEndpoints = sqliteTable("event_endpoints", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  description: text("description").notNull().default(""),
  // Space-separated event types it wants; empty means every type.
  eventTypes: text("event_types").notNull().default(""),
  // whsec_… secrets sealed with SECRET_KEY (they sign every delivery). During a rotation's overlap
  // window deliveries are signed with both the new and the previous secret.
  secretSealed: text("secret_sealed").notNull(),
  previousSecretSealed: text("previous_secret_sealed"),
  previousSecretUntil: integer("previous_secret_until"),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  disabledReason: text("disabled_reason"),
  // First failure of the current run of failures; null after a success.
  failingSince: integer("failing_since"),
  createdBy: text("created_by"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

// One event for one endpoint: the outbox of event webhooks (owned by src/events). Its id is the
// webhook-id header, the same on every retry, so a receiver can drop duplicates.
export const eventDeliveries = sqliteTable(
  "event_deliveries",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => eventEndpoints.id, { onDelete: "cascade" }),
    eventType: text("event_type").notNull(),
    // The JSON body sent: { type, timestamp, data } with ids, never a secret.
    payload: text("payload").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    // Set while a process is sending it, so several processes never send one delivery at once.
    lockedUntil: integer("locked_until").notNull().default(0),
    deliveredAt: integer("delivered_at"),
    // Set when the retries are used up.
    failedAt: integer("failed_at"),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("event_deliveries_due_idx").on(t.deliveredAt, t.failedAt, t.nextAttemptAt),
    index("event_deliveries_endpoint_idx").on(t.endpointId, t.createdAt),
  ],
);
