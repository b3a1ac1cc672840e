// Argon2id password hashing (oslo/password over @node-rs/argon2, which hashes off the main thread).
// package.json "overrides" gives oslo the current @node-rs/argon2 (2.x, SIMD): oslo pins 1.7, which
// verifies at about half the speed (bun run bench measures both).
// OWASP parameters: 19 MiB, 2 iterations, parallelism 1. A hash made with other parameters is
// re-made at the next successful sign-in.
import { Argon2id } from "oslo/password";

export interface HashParams {
  memorySize: number; // KiB
  iterations: number;
  parallelism: number;
}

export const OWASP_ARGON2ID: HashParams = { memorySize: 19456, iterations: 2, parallelism: 1 };

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when `hash` was made with other parameters than the current ones. */
  needsRehash(hash: string): boolean;
}

export function createHasher(params: HashParams = OWASP_ARGON2ID): PasswordHasher {
  const argon2id = new Argon2id({ ...params, tagLength: 32 });
  const expected = `m=${params.memorySize},t=${params.iterations},p=${params.parallelism}`;
  return {
    // oslo normalises to NFKC before hashing and verifying: the same text typed on any device
    // (composed or decomposed accents) matches.
    hash: (password) => argon2id.hash(password),
    verify: async (hash, password) => {
      try {
        return await argon2id.verify(hash, password);
      } catch {
        return false; // a malformed stored hash never signs anyone in
      }
    },
    needsRehash: (hash) => !hash.startsWith("$argon2id$") || hash.split("$")[3] !== expected,
  };
}
