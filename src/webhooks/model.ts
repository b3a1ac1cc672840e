// Field schemas shared by the webhook routes and actions (TypeBox via Elysia's `t`).
import { t } from "elysia";
import { ROLES, USER_STATUSES, WEBHOOK_PROVIDERS, WEBHOOK_SCOPES } from "../../db/schema";
import { MAX_PRODUCT_NAME, MAX_SEATS } from "../licenses/service";

/** Action payloads refuse unknown fields: a typo (or `__proto__`) is an error, not silently ignored. */
export const STRICT = { additionalProperties: false } as const;

const nonBlank = (maxLength: number) => t.String({ minLength: 1, maxLength, pattern: "\\S" });

export const Id = t.String({ minLength: 1, maxLength: 64 });
export const Email = t.String({ minLength: 3, maxLength: 254 });
export const Name = nonBlank(200);
export const ProductId = nonBlank(200);
/** The product's display name ("Acme Pro"), shown instead of productId on the account page. */
export const ProductName = nonBlank(MAX_PRODUCT_NAME);
export const Role = t.UnionEnum(ROLES);
export const Status = t.UnionEnum(USER_STATUSES);
export const Seats = t.Integer({ minimum: 1, maximum: MAX_SEATS });
/** ISO 8601 string or Unix ms; parsed (and range-checked) by the license service. */
export const ValidUntil = t.Union([t.String({ minLength: 1, maxLength: 64 }), t.Integer()]);

export const CreateWebhookBody = t.Object({
  name: nonBlank(100),
  /** Who sends the deliveries: seatkey's actions (default) or one store's native events. */
  provider: t.Optional(t.UnionEnum(WEBHOOK_PROVIDERS)),
  signingSecret: t.Optional(t.String({ minLength: 6, maxLength: 256 })),
  // "store" is listed first: Elysia fills an absent optional enum with its first value.
  scope: t.Optional(
    t.UnionEnum(WEBHOOK_SCOPES, {
      description: "store (default): customers only, never an ADMIN; admin: may grant and change ADMINs",
    }),
  ),
});

/** Idempotency keys and event ids: opaque, bounded. */
export const MAX_EVENT_KEY = 255;
