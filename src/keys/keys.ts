// Ed25519 signing keys. A key travels as base64url(JSON JWK) in one env line; its kid is the
// RFC 7638 thumbprint. The current private key signs; every public key (current + previous)
// verifies and is published in the JWKS until the tokens it signed have expired.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from "jose";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { randomToken } from "../lib/crypto";

export const JWT_ALG = "EdDSA";

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  /** Public keys by kid, current first. */
  publicKeys: Map<string, CryptoKey>;
  /** The JWKS document, serialized once. */
  jwksJson: string;
  /** 32 bytes sealing secrets at rest (SECRET_KEY). */
  secretKey: Buffer;
}

export interface KeyMaterial {
  /** base64url private JWK */
  privateKey: string;
  /** base64url public JWKs of previous keys */
  previousPublicKeys: string[];
  /** base64url 32 bytes */
  secretKey: string;
}

export class KeyError extends Error {
  override name = "KeyError";
}

export function encodeJwk(jwk: JWK): string {
  return Buffer.from(JSON.stringify(jwk)).toString("base64url");
}

export function decodeJwk(encoded: string, variable: string): JWK {
  let jwk: JWK;
  try {
    jwk = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8")) as JWK;
  } catch {
    throw new KeyError(
      `${variable} is not a key made by \`bun run keys generate\` (\`npm run -s keys generate\`) (not base64url JSON)`,
    );
  }
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string" || typeof jwk.kid !== "string") {
    throw new KeyError(
      `${variable} must be an Ed25519 (OKP) JWK with a kid: run \`bun run keys generate\` (or \`npm run -s keys generate\`)`,
    );
  }
  return jwk;
}

/** A fresh Ed25519 key pair as JWKs, plus a fresh SECRET_KEY. */
export async function generateKeyMaterial(): Promise<{ privateJwk: JWK; publicJwk: JWK; secretKey: string }> {
  const { privateKey } = await generateKeyPair(JWT_ALG, { crv: "Ed25519", extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(privateJwk);
  const full: JWK = { ...privateJwk, kid, alg: JWT_ALG, use: "sig" };
  return { privateJwk: full, publicJwk: publicPart(full), secretKey: randomToken(32) };
}

export function publicPart(jwk: JWK): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid: jwk.kid, alg: JWT_ALG, use: "sig" };
}

export async function importKeys(material: KeyMaterial): Promise<SigningKeys> {
  const privateJwk = decodeJwk(material.privateKey, "JWT_PRIVATE_KEY");
  if (typeof privateJwk.d !== "string") throw new KeyError("JWT_PRIVATE_KEY holds no private part (d)");
  const kid = privateJwk.kid as string;
  const privateKey = (await importJWK({ ...privateJwk, alg: JWT_ALG }, JWT_ALG)) as CryptoKey;

  const publics = [publicPart(privateJwk)];
  for (const encoded of material.previousPublicKeys) {
    const jwk = publicPart(decodeJwk(encoded, "JWT_PUBLIC_KEYS"));
    if (!publics.some((p) => p.kid === jwk.kid)) publics.push(jwk);
  }
  const publicKeys = new Map<string, CryptoKey>();
  for (const jwk of publics) publicKeys.set(jwk.kid as string, (await importJWK(jwk, JWT_ALG)) as CryptoKey);

  const secretKey = Buffer.from(material.secretKey, "base64url");
  if (secretKey.length !== 32) throw new KeyError("SECRET_KEY must be 32 bytes in base64url");
  return { kid, privateKey, publicKeys, jwksJson: JSON.stringify({ keys: publics }), secretKey };
}

/**
 * Development and tests: keys come from a JSON file, created on first start.
 * Production never gets here (config refuses to start without JWT_PRIVATE_KEY).
 */
export async function loadOrCreateDevKeys(file: string): Promise<KeyMaterial> {
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as KeyMaterial;
  const { privateJwk, secretKey } = await generateKeyMaterial();
  const material: KeyMaterial = { privateKey: encodeJwk(privateJwk), previousPublicKeys: [], secretKey };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(material, null, 2), { mode: 0o600 });
  return material;
}

/** Keys from config, or the development key file when none is configured. */
export async function loadSigningKeys(config: {
  jwtPrivateKey: string | undefined;
  jwtPublicKeys: string[];
  secretKey: string | undefined;
  devKeyFile: string;
  env: string;
}): Promise<SigningKeys> {
  if (config.jwtPrivateKey) {
    if (!config.secretKey)
      throw new KeyError(
        "SECRET_KEY is required with JWT_PRIVATE_KEY: run `bun run keys generate` (or `npm run -s keys generate`)",
      );
    return importKeys({
      privateKey: config.jwtPrivateKey,
      previousPublicKeys: config.jwtPublicKeys,
      secretKey: config.secretKey,
    });
  }
  if (config.env === "production") throw new KeyError("JWT_PRIVATE_KEY is required in production");
  const material = await loadOrCreateDevKeys(config.devKeyFile);
  return importKeys({ ...material, previousPublicKeys: [...material.previousPublicKeys, ...config.jwtPublicKeys] });
}
