// Access tokens (RFC 9068 profile): EdDSA-signed JWTs with a kid, typ "at+jwt", short-lived.
// jose is used directly (it is the library under @elysiajs/jwt) because verification needs a
// kid-indexed key set for rotation and every time must come from the injected clock.
import { errors, jwtVerify, type JWTHeaderParameters, type JWTPayload } from "jose";
import type { LimitedReason, Role, UserStatus } from "../../db/schema";
import type { Deps } from "../deps";
import { unauthorized } from "../errors";
import { newId } from "../lib/crypto";
import { JWT_ALG } from "../keys/keys";
import type { LicenseClaim } from "../seats/seats";
import { accessTokenTimes } from "../sessions/tokens";

export const ACCESS_TOKEN_TYPE = "at+jwt";

export interface AccessClaims {
  iss: string;
  aud: string;
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  role: Role;
  status: UserStatus;
  limited: boolean;
  limitedReason: LimitedReason | null;
  /** The product whose seat the session holds; null when limited. */
  product: string | null;
  email: string;
  name: string;
  /** The valid licenses of `product`; none when limited. */
  licenses: LicenseClaim[];
}

export interface AccessSubject {
  user: { id: string; role: Role; status: UserStatus; email: string; name: string };
  sessionId: string;
  limited: boolean;
  limitedReason: LimitedReason | null;
  product: string | null;
  licenses: LicenseClaim[];
}

const headers = new Map<string, string>();
const base64url = (json: string) => Buffer.from(json).toString("base64url");
const encoder = new TextEncoder();

/**
 * The same compact JWS jose's SignJWT makes (same header, same claim order), signed straight with
 * WebCrypto: jose's per-call header checks and key preparation cost more than the Ed25519
 * signature itself on the refresh hot path.
 */
export async function signAccessToken(deps: Deps, subject: AccessSubject): Promise<string> {
  const { iat, exp } = accessTokenTimes(deps.clock.now(), deps.config.accessTokenTtl);
  const kid = deps.keys.kid;
  let header = headers.get(kid);
  if (!header) headers.set(kid, (header = base64url(JSON.stringify({ alg: JWT_ALG, kid, typ: ACCESS_TOKEN_TYPE }))));
  const claims = {
    sid: subject.sessionId,
    role: subject.user.role,
    status: subject.user.status,
    limited: subject.limited,
    limitedReason: subject.limitedReason,
    product: subject.product,
    email: subject.user.email,
    name: subject.user.name,
    licenses: subject.licenses,
    iss: deps.config.jwtIssuer,
    aud: deps.config.jwtAudience,
    sub: subject.user.id,
    jti: newId(),
    iat,
    exp,
  };
  const input = `${header}.${base64url(JSON.stringify(claims))}`;
  const signature = await crypto.subtle.sign("Ed25519", deps.keys.privateKey, encoder.encode(input));
  return `${input}.${Buffer.from(signature).toString("base64url")}`;
}

/**
 * Verified tokens, by their exact text: an app sends the same access token with every call until
 * it refreshes, and checking its Ed25519 signature again each time was the largest single cost of
 * `me`. Only tokens that verified are kept; `exp` is checked against the clock on every use, as
 * jose does; the set is per key set (a rotated key set starts empty) and bounded, oldest out first.
 */
const VERIFIED_LIMIT = 2048;
const verifiedBy = new WeakMap<Deps["keys"], Map<string, AccessClaims>>();

/**
 * Verifies an access token: EdDSA only (RFC 8725: no "none", no HS256 with the public key),
 * a known kid, typ at+jwt, iss, aud and exp — all against the injected clock.
 */
export async function verifyAccessToken(deps: Deps, token: string): Promise<AccessClaims> {
  let verified = verifiedBy.get(deps.keys);
  if (!verified) verifiedBy.set(deps.keys, (verified = new Map()));
  const known = verified.get(token);
  if (known) {
    if (known.exp > Math.floor(deps.clock.now() / 1000)) return known;
    verified.delete(token);
    throw expired();
  }
  const claims = await verifySignedToken(deps, token);
  if (verified.size >= VERIFIED_LIMIT) verified.delete(verified.keys().next().value as string);
  verified.set(token, Object.freeze(claims));
  return claims;
}

const expired = () => unauthorized("token_expired", "Access token expired; refresh it");

async function verifySignedToken(deps: Deps, token: string): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header: JWTHeaderParameters) => {
        const key = header.kid ? deps.keys.publicKeys.get(header.kid) : undefined;
        if (!key) throw new errors.JWKSNoMatchingKey();
        return key;
      },
      {
        algorithms: [JWT_ALG],
        typ: ACCESS_TOKEN_TYPE,
        issuer: deps.config.jwtIssuer,
        audience: deps.config.jwtAudience,
        currentDate: new Date(deps.clock.now()),
        requiredClaims: ["sub", "sid", "exp", "iat", "jti"],
      },
    );
    return payload as JWTPayload & AccessClaims;
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw expired();
    throw unauthorized("invalid_token", "Invalid access token");
  }
}
