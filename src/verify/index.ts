// seatkey/verify: checks seatkey access tokens on a resource server, offline, with jose.
//   const verifier = createVerifier({ issuer, audience, jwksUrl });
//   const claims = await verifier.verify(token);   // throws VerifyError (401) when not valid
//   requireSeat(claims, "pro");                    // throws VerifyError (403) without a pro seat
// The JWKS is fetched once and cached; a token signed with an unknown key id refetches it (at most
// every 30 s), so a key rotation on the server is followed without a restart.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import { VerifyError } from "./errors.js";
import { createIntrospector, type IntrospectionOptions } from "./introspection.js";

export { VerifyError, type VerifyErrorCode } from "./errors.js";
export type { IntrospectionOptions } from "./introspection.js";

/** The claims of a seatkey access token (the README's "Tokens" section). */
export interface SeatkeyClaims {
  iss: string;
  aud: string | string[];
  /** The user id. */
  sub: string;
  /** The session id. */
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  role: string;
  status: string;
  /** True when the session holds no seat (trial mode); see limitedReason. */
  limited: boolean;
  limitedReason: string | null;
  /** The product whose seat the session holds; null when limited. */
  product: string | null;
  email: string;
  name: string;
  /** The user's valid licenses (only when not limited); validUntil in Unix ms. */
  licenses: { productId: string; validUntil: number }[];
}

export interface VerifierOptions {
  /** The server's JWT_ISSUER (by default its PUBLIC_URL), e.g. "https://auth.example.com". */
  issuer: string;
  /** The server's JWT_AUDIENCE ("seatkey" by default). */
  audience: string;
  /** Usually `${issuer}/.well-known/jwks.json`. */
  jwksUrl: string | URL;
  /** Also ask the server whether the token is still active (RFC 7662), cached for a few seconds. */
  introspection?: IntrospectionOptions;
  /** Current time in Unix ms (tests). */
  now?: () => number;
}

export interface Verifier {
  /** The token's claims, or a VerifyError: missing_token, invalid_token, token_expired, token_inactive. */
  verify(token: string | null | undefined): Promise<SeatkeyClaims>;
  /** Reads `Authorization: Bearer <token>` and verifies it; with `product`, also requires its seat. */
  verifyAuthorization(header: string | null | undefined, product?: string): Promise<SeatkeyClaims>;
}

const ALGORITHMS = ["EdDSA"]; // pinned (RFC 8725): never "none", never HS256 keyed with the public key

export function createVerifier(options: VerifierOptions): Verifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  const now = options.now ?? Date.now;
  const introspect = options.introspection ? createIntrospector(options.introspection, now) : undefined;

  async function verify(token: string | null | undefined): Promise<SeatkeyClaims> {
    if (!token) throw new VerifyError("missing_token", "Send an access token: Authorization: Bearer <token>");
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        algorithms: ALGORITHMS,
        typ: "at+jwt",
        issuer: options.issuer,
        audience: options.audience,
        currentDate: new Date(now()),
        requiredClaims: ["sub", "sid", "jti", "iat", "exp"],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        throw new VerifyError("token_expired", "Access token expired; refresh it");
      throw new VerifyError("invalid_token", "Invalid access token");
    }
    const claims = toClaims(payload);
    if (introspect && !(await introspect(token, claims))) {
      throw new VerifyError("token_inactive", "This session has ended; sign in again");
    }
    return claims;
  }

  return {
    verify,
    async verifyAuthorization(header, product) {
      const claims = await verify(bearerToken(header));
      if (product !== undefined) requireSeat(claims, product);
      return claims;
    },
  };
}

/** Whether the session holds a seat of `product` (a limited session holds none). */
export function hasSeat(claims: Pick<SeatkeyClaims, "limited" | "product">, product: string): boolean {
  return claims.limited === false && claims.product === product;
}

/** Throws VerifyError 403 (no_seat / wrong_product) unless the session holds a seat of `product`. */
export function requireSeat(claims: Pick<SeatkeyClaims, "limited" | "product">, product: string): void {
  if (hasSeat(claims, product)) return;
  if (claims.limited) throw new VerifyError("no_seat", "This session holds no seat; it is in trial mode");
  throw new VerifyError("wrong_product", `This session holds a seat of another product, not ${product}`);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | null | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
}

// A signature proves seatkey issued the token; the shape is still checked, so a claim of the wrong
// type can never be mistaken for a seat.
function toClaims(payload: JWTPayload): SeatkeyClaims {
  const p = payload as Partial<Record<keyof SeatkeyClaims, unknown>>;
  const product = p.product ?? null;
  if (typeof p.limited !== "boolean" || (product !== null && typeof product !== "string")) {
    throw new VerifyError("invalid_token", "Invalid access token");
  }
  return { ...(payload as unknown as SeatkeyClaims), product, licenses: Array.isArray(p.licenses) ? p.licenses : [] };
}
