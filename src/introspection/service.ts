// Token introspection (RFC 7662): is this access or refresh token usable right now? Anything that
// is not — bad signature, expired, session revoked or expired, user inactive, unknown — is the same
// { active: false }, so the answer never tells whether an inactive token ever existed.
import type { Deps } from "../deps";
import { verifyAccessToken } from "../auth/access-token";
import { findLiveSession, findSessionByToken, type SessionWithUser } from "../sessions/service";

export type Introspection =
  | { active: false }
  | {
      active: true;
      token_type: "access_token" | "refresh_token";
      client_id: string;
      sub: string;
      sid: string;
      exp: number;
      iat: number;
      product: string | null;
      limited: boolean;
    };

const INACTIVE = { active: false } as const;
const seconds = (ms: number) => Math.floor(ms / 1000);

function usable(found: SessionWithUser | undefined): found is SessionWithUser {
  return found !== undefined && found.user.status === "ACTIVE";
}

async function accessToken(deps: Deps, token: string, clientId: string): Promise<Introspection> {
  const claims = await verifyAccessToken(deps, token).catch(() => undefined);
  if (!claims) return INACTIVE;
  const found = await findLiveSession(deps, claims.sid, "app");
  if (!usable(found) || found.user.id !== claims.sub) return INACTIVE;
  return {
    active: true,
    token_type: "access_token",
    client_id: clientId,
    sub: claims.sub,
    sid: claims.sid,
    exp: claims.exp,
    iat: claims.iat,
    product: found.session.productId,
    limited: found.session.limited,
  };
}

async function refreshToken(deps: Deps, token: string, clientId: string): Promise<Introspection> {
  // Read-only: an old (rotated) token is simply inactive here; only a refresh treats it as reuse.
  const found = await findSessionByToken(deps, token, "app");
  if (!usable(found)) return INACTIVE;
  const { session } = found;
  return {
    active: true,
    token_type: "refresh_token",
    client_id: clientId,
    sub: session.userId,
    sid: session.id,
    exp: seconds(session.expiresAt),
    iat: seconds(session.rotatedAt ?? session.createdAt),
    product: session.productId,
    limited: session.limited,
  };
}

/** The hint only decides which kind is tried first (RFC 7662 §2.1). */
export async function introspect(
  deps: Deps,
  input: { token: string; hint?: string | undefined; clientId: string },
): Promise<Introspection> {
  const order = input.hint === "refresh_token" ? [refreshToken, accessToken] : [accessToken, refreshToken];
  for (const check of order) {
    const answer = await check(deps, input.token, input.clientId);
    if (answer.active) return answer;
  }
  return INACTIVE;
}
