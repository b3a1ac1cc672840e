// Every table of seatkey, in one place. Times are integer Unix milliseconds everywhere.
// No secret is stored in plaintext: tokens are kept as SHA-256 hex digests, and the few secrets
// that must be readable again (webhook signing secrets, queued mail bodies) are sealed with SECRET_KEY.
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const ROLES = ["ADMIN", "OWNER", "MANAGER"] as const;
export type Role = (typeof ROLES)[number];
export const USER_STATUSES = ["ACTIVE", "INACTIVE"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];
export const SESSION_KINDS = ["app", "account"] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];
export const LIMITED_REASONS = ["no_license", "expired", "no_free_seat", "seat_cooling_down"] as const;
export type LimitedReason = (typeof LIMITED_REASONS)[number];
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
    // Argon2id PHC string; null until the user sets a password.
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
    seats: integer("seats").notNull(),
    validUntil: integer("valid_until").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("licenses_user_idx").on(t.userId, t.productId, t.validUntil),
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
  (t) => [index("sessions_user_idx").on(t.userId, t.kind, t.revokedAt), index("sessions_expires_idx").on(t.expiresAt)],
);

export const webhookTokens = sqliteTable(
  "webhook_tokens",
  {
    id: text("id").primaryKey(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    name: text("name").notNull(),
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
    blockedUntil: integer("blocked_until").notNull().default(0),
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

export type User = typeof users.$inferSelect;
export type License = typeof licenses.$inferSelect;
export type Session = typeof sessions.$inferSelect;
export type WebhookToken = typeof webhookTokens.$inferSelect;
export type EmailToken = typeof emailTokens.$inferSelect;
