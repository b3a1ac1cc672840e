// The JSON answers of the API, as schemas for the OpenAPI document (declared with `answers(…)`;
// documentation only — routes do not validate their own output). test/openapi.test.ts checks real
// answers against them and refuses any field not declared here, so a new field is added here too.
import { t, type TSchema } from "elysia";
import {
  LIMITED_REASONS,
  ROLES,
  SESSION_KINDS,
  STORE_EVENT_STATUSES,
  USER_STATUSES,
  WEBHOOK_PROVIDERS,
  WEBHOOK_SCOPES,
} from "../../db/schema";
import { DELIVERY_STATUSES } from "../events/deliveries";
import { EVENT_TYPES } from "../events/types";

const Str = t.String();
const Int = t.Integer();
const Ms = t.Integer({ description: "Unix time in milliseconds" });
const Nullable = <T extends TSchema>(schema: T) => t.Union([schema, t.Null()]);
const Detail = Nullable(t.Record(t.String(), t.Unknown()));

export const User = t.Object({
  id: Str,
  email: Str,
  name: Str,
  role: t.UnionEnum(ROLES),
  status: t.UnionEnum(USER_STATUSES),
  createdAt: Ms,
  updatedAt: Ms,
  hasPassword: t.Boolean(),
});

export const License = t.Object({
  id: Str,
  userId: Str,
  productId: Str,
  seats: Int,
  validUntil: Ms,
  provider: Nullable(t.UnionEnum(WEBHOOK_PROVIDERS)),
  externalRef: Nullable(Str),
  externalUpdatedAt: Nullable(Ms),
  externalEndedAt: Nullable(Ms),
  createdAt: Ms,
  updatedAt: Ms,
});

export const Session = t.Object({
  id: Str,
  kind: t.UnionEnum(SESSION_KINDS),
  productId: Nullable(Str),
  limited: t.Boolean(),
  limitedReason: Nullable(t.UnionEnum(LIMITED_REASONS)),
  seated: t.Boolean({ description: "Counts against a seat right now" }),
  userAgent: Nullable(Str),
  ip: Nullable(Str),
  country: Nullable(Str),
  city: Nullable(Str),
  region: Nullable(Str),
  createdAt: Ms,
  lastUsedAt: Ms,
  expiresAt: Ms,
  current: t.Boolean({ description: "The session of the token asking" }),
});

export const Webhook = t.Object({
  id: Str,
  name: Str,
  provider: t.UnionEnum(WEBHOOK_PROVIDERS),
  scope: t.UnionEnum(WEBHOOK_SCOPES),
  createdBy: Nullable(Str),
  signed: t.Boolean(),
  createdAt: Ms,
  lastUsedAt: Nullable(Ms),
  revokedAt: Nullable(Ms),
});

const ProductSeats = t.Object({
  productId: Str,
  seats: Int,
  used: Int,
  cooling: t.Integer({ description: "Released seats still counted until their last access token expires" }),
  seatFreeAt: Nullable(Ms),
  validUntil: Ms,
});
const SeatSummary = {
  products: t.Array(ProductSeats),
  seats: t.Object({ total: Int, used: Int }),
};

export const Me = t.Object({
  user: User,
  licenses: t.Array(
    t.Object({ id: Str, productId: Str, seats: Int, validUntil: Ms, valid: t.Boolean(), seatsUsed: Int }),
  ),
  ...SeatSummary,
  session: Nullable(Session),
});

export const Sessions = t.Object({ sessions: t.Array(Session) });

export const Health = t.Object({
  status: t.UnionEnum(["ok", "error"]),
  database: t.UnionEnum(["ok", "unreachable"]),
});

export const UserPage = t.Object({
  users: t.Array(t.Object({ ...User.properties, licenses: t.Array(License), activeSessions: Int })),
  page: Int,
  limit: Int,
  total: Int,
});

export const UserDetail = t.Object({
  user: User,
  licenses: t.Array(License),
  ...SeatSummary,
  sessions: t.Array(Session),
  webhooks: t.Array(Webhook),
});

const Iso = t.String({ description: "ISO 8601 date-time" });
/** A user as auth-license-server showed one: ISO dates, nested sessions, licenses and webhooks. */
export const LegacyUser = t.Object({
  id: Str,
  createdAt: Iso,
  updatedAt: Iso,
  email: Str,
  name: Str,
  role: t.UnionEnum(ROLES),
  status: t.UnionEnum(USER_STATUSES),
  sessions: t.Array(
    t.Object({
      id: Str,
      createdAt: Iso,
      updatedAt: Iso,
      userAgent: Nullable(Str),
      country: Nullable(Str),
      city: Nullable(Str),
      region: Nullable(Str),
      limited: t.Boolean(),
      userId: Str,
    }),
  ),
  licenses: t.Array(
    t.Object({ id: Str, createdAt: Iso, updatedAt: Iso, validUntil: Iso, productId: Str, seats: Int, userId: Str }),
  ),
  webhooks: t.Array(t.Object({ id: Str, name: Str, createdAt: Iso, updatedAt: Iso, userId: Nullable(Str) })),
});

export const CreatedWebhook = t.Object({
  id: Str,
  name: Str,
  provider: t.UnionEnum(WEBHOOK_PROVIDERS),
  scope: t.UnionEnum(WEBHOOK_SCOPES),
  token: t.String({ description: "Shown once" }),
  url: t.String({ description: "Where the store sends deliveries" }),
});

// What the webhook actions (and the admin API, which runs the same actions) answer.
const Changed = { changed: t.Array(Str), revokedSessions: Int };
export const UserAnswer = t.Object({ user: User });
export const UserChange = t.Object({ user: User, ...Changed });
export const UserDeleted = t.Object({ userId: Str, deleted: t.Literal(true), revokedSessions: Int });
export const LicenseAnswer = t.Object({ license: License });
export const LicenseChange = t.Object({ license: License, ...Changed });
export const LicenseDeleted = t.Object({ licenseId: Str, deleted: t.Literal(true), revokedSessions: Int });
export const Granted = t.Object({ user: User, license: License, userCreated: t.Boolean() });
export const SessionRevoked = t.Object({ sessionId: Str, userId: Str, revoked: t.Boolean() });
export const SessionsRevoked = t.Object({ userId: Str, revokedSessions: Int });
export const WebhookAnswer = t.Object({ webhook: Webhook });
export const UserLink = t.Object({ user: User, link: t.String({ description: "One-time set-password link" }) });
export const ResetLink = t.Object({ userId: Str, link: t.String({ description: "One-time set-password link" }) });

export const ActionResponse = t.Union(
  [
    UserAnswer,
    UserChange,
    UserDeleted,
    LicenseAnswer,
    LicenseChange,
    LicenseDeleted,
    Granted,
    SessionRevoked,
    SessionsRevoked,
    WebhookAnswer,
  ],
  { description: "What the action answers (see the action list in the README)" },
);

export const WebhookReply = t.Object({
  success: t.Literal(true),
  response: ActionResponse,
  time: t.Integer({ description: "Milliseconds from request to committed change" }),
});

export const AuditEvent = t.Object({
  id: Str,
  at: Ms,
  event: Str,
  userId: Nullable(Str),
  actor: Nullable(Str),
  ip: Nullable(Str),
  detail: Detail,
});

export const Stats = t.Object({
  users: t.Object({ total: Int, active: Int }),
  activeLicenses: Int,
  seats: t.Array(t.Object({ productId: Str, used: Int, total: Int })),
  liveSessions: Int,
  days: t.Array(t.Object({ day: t.String({ description: "YYYY-MM-DD (UTC)" }), logins: Int, failedLogins: Int })),
  sessionsRefreshedToday: Int,
});

export const Secret = t.Object({ webhook: Webhook, signingSecret: t.String({ description: "Shown once" }) });

export const ProductMapping = t.Object({
  webhookId: Str,
  externalId: Str,
  productId: Str,
  seatsPerUnit: Int,
  termDays: Nullable(Int),
  createdAt: Ms,
  updatedAt: Ms,
});

export const StoreEvent = t.Object({
  id: Str,
  webhookId: Str,
  provider: t.UnionEnum(WEBHOOK_PROVIDERS),
  eventKey: Str,
  type: Str,
  occurredAt: Ms,
  receivedAt: Ms,
  status: t.UnionEnum(STORE_EVENT_STATUSES),
  error: Nullable(Str),
  waitingFor: Nullable(Str),
  appliedAt: Nullable(Ms),
});

export const EventEndpoint = t.Object({
  id: Str,
  url: Str,
  description: Str,
  eventTypes: t.Array(t.UnionEnum(EVENT_TYPES)),
  enabled: t.Boolean(),
  disabledReason: Nullable(Str),
  failingSince: Nullable(Ms),
  previousSecretUntil: Nullable(Ms),
  createdBy: Nullable(Str),
  createdAt: Ms,
  updatedAt: Ms,
});
export const EndpointSecret = t.Object({ endpoint: EventEndpoint, secret: t.String({ description: "Shown once" }) });

export const Delivery = t.Object({
  id: Str,
  endpointId: Str,
  eventType: Str,
  status: t.UnionEnum(DELIVERY_STATUSES),
  payload: t.Unknown(),
  attempts: Int,
  nextAttemptAt: Nullable(Ms),
  lastStatus: Nullable(Int),
  lastError: Nullable(Str),
  deliveredAt: Nullable(Ms),
  failedAt: Nullable(Ms),
  createdAt: Ms,
});

export const IntrospectionClient = t.Object({
  id: Str,
  name: Str,
  createdBy: Nullable(Str),
  createdAt: Ms,
  revokedAt: Nullable(Ms),
});
export const CreatedClient = t.Object({
  ...IntrospectionClient.properties,
  clientId: Str,
  clientSecret: t.String({ description: "Shown once" }),
});
