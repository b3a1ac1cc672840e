// Schemas of the auth API's answers (TypeBox via Elysia's `t`); the types come from them.
import { t } from "elysia";

export const AuthResultSchema = t.Object({
  accessToken: t.String(),
  refreshToken: t.String(),
  expiresIn: t.Number(),
  limited: t.Boolean(),
  limitedReason: t.Union([t.String(), t.Null()]),
  /** The product whose seat the session holds; null when limited. */
  product: t.Union([t.String(), t.Null()]),
  /** Limited by seats cooling down: when the first of them frees (Unix ms); else null. */
  seatFreeAt: t.Union([t.Number(), t.Null()]),
  /** Free seats of the product left after this session took (or did not take) one. */
  remainingLicenses: t.Number(),
  sessionId: t.String(),
});

/** What login and refresh answer. */
export type AuthResult = typeof AuthResultSchema.static;

/** The answer as sent: without the refresh token when the client asked for cookieOnly. */
export const AuthAnswerSchema = t.Object({ ...AuthResultSchema.properties, refreshToken: t.Optional(t.String()) });

export { ErrorBody as ErrorSchema } from "../docs/openapi";
