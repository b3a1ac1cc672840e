// Bearer authentication for /api routes, as a named plugin with an `auth` macro:
//   .use(bearerAuth(deps)).get("/x", ({ auth }) => …, { auth: true })      any signed-in user
//   .get("/y", ({ auth }) => …, { auth: "ADMIN" })      role ADMIN only, re-checked in the database
// Runs only on the routes that ask for it (resolve), never as a global derive.
import { Elysia } from "elysia";
import type { Role } from "../../db/schema";
import type { Deps } from "../deps";
import { BEARER_DETAIL } from "../docs/openapi";
import { forbidden, unauthorized } from "../errors";
import { findUserWithSession } from "../sessions/view";
import { verifyAccessToken, type AccessClaims } from "./access-token";

export function bearerToken(header: string | undefined | null): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  return match?.[1];
}

export async function authenticate(
  deps: Deps,
  authorization: string | undefined | null,
  role?: Role,
): Promise<AccessClaims> {
  const token = bearerToken(authorization);
  if (!token) throw unauthorized("missing_token", "Send an access token: Authorization: Bearer <token>");
  const claims = await verifyAccessToken(deps, token);
  if (claims.status !== "ACTIVE") throw forbidden("account_inactive", "This account is inactive");
  if (role && claims.role !== role) throw forbidden("forbidden", `This needs the ${role} role`);
  if (role) await assertStillHolds(deps, claims, role);
  return claims;
}

/**
 * Where power is at stake the token's claims are not enough: they were true when it was signed, up to
 * ACCESS_TOKEN_TTL ago. The user must still exist, be active and hold `role`, and the session must
 * still be live — so a disabled, demoted or deleted admin, or a revoked session, loses it at once.
 */
async function assertStillHolds(deps: Deps, claims: AccessClaims, role: Role): Promise<void> {
  const { user, session } = (await findUserWithSession(deps, claims.sub, claims.sid)) ?? {};
  const live = session && session.revokedAt === null && session.expiresAt > deps.clock.now();
  if (!user || !live) throw unauthorized("session_revoked", "This session has ended; log in again");
  if (user.status !== "ACTIVE") throw forbidden("account_inactive", "This account is inactive");
  if (user.role !== role) throw forbidden("forbidden", `This needs the ${role} role`);
}

export function bearerAuth(deps: Deps) {
  return new Elysia({ name: "bearer-auth" }).macro({
    auth: (required: true | Role) => ({
      detail: BEARER_DETAIL, // the OpenAPI document's security and 401/403 answers
      async resolve({ headers }) {
        const claims = await authenticate(deps, headers.authorization, required === true ? undefined : required);
        return { auth: claims };
      },
    }),
  });
}
