// Argon2id password hashing (oslo/password over @node-rs/argon2, which hashes off the main thread).
// package.json "overrides" gives oslo the current @node-rs/argon2 (2.x, SIMD): oslo pins 1.7, which
// verifies at about half the speed (bun run bench measures both).
// OWASP parameters: 19 MiB, 2 iterations, parallelism 1. A hash made with other parameters is
// re-made at the next successful sign-in.
// bcrypt hashes (`$2a$`, `$2b$`, `$2y$`) come from an import (README "Moving from
// auth-license-server"): they are verified as they are and replaced by Argon2id at that sign-in.
import { availableParallelism } from "node:os";
import { verify as bcryptVerify } from "@node-rs/bcrypt";
import { Argon2id } from "oslo/password";

export interface HashParams {
  memorySize: number; // KiB
  iterations: number;
  parallelism: number;
}

export const OWASP_ARGON2ID: HashParams = { memorySize: 19456, iterations: 2, parallelism: 1 };

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * Whether `password` matches `hash`. A missing hash (unknown user, password never set) is false
   * too — after a verify against a dummy hash, so every failure takes as long as a wrong password.
   */
  verify(hash: string | null, password: string): Promise<boolean>;
  /** True when `hash` was made with other parameters than the current ones. */
  needsRehash(hash: string): boolean;
}

export interface HasherOptions {
  /**
   * At most this many Argon2id computations at once. Each takes a whole core on a thread of its
   * own, so a login flood with one hash per request would leave the event loop (refresh, me) a
   * sliver of CPU. Unlimited when not given.
   */
  concurrency?: number;
}

/** One core kept free for the event loop, the rest shared out between WORKERS processes. */
export function hashConcurrency(workers: number): number {
  return Math.max(1, Math.floor(Math.max(1, availableParallelism() - 1) / workers));
}

export function createHasher(params: HashParams = OWASP_ARGON2ID, options: HasherOptions = {}): PasswordHasher {
  const argon2id = new Argon2id({ ...params, tagLength: 32 });
  const expected = `m=${params.memorySize},t=${params.iterations},p=${params.parallelism}`;
  const slots = new Slots(options.concurrency ?? Number.POSITIVE_INFINITY);
  // oslo normalises to NFKC before hashing and verifying: the same text typed on any device
  // (composed or decomposed accents) matches.
  const hash = (password: string) => slots.run(() => argon2id.hash(password));
  let dummy: Promise<string> | undefined;
  return {
    hash,
    verify: async (stored, password) => {
      dummy ??= hash(crypto.randomUUID());
      const target = stored ?? (await dummy);
      try {
        const check = isBcrypt(target) ? () => bcryptVerify(password, target) : () => argon2id.verify(target, password);
        return (await slots.run(check)) && stored !== null;
      } catch {
        return false; // a malformed stored hash never signs anyone in
      }
    },
    needsRehash: (stored) => !stored.startsWith("$argon2id$") || stored.split("$")[3] !== expected,
  };
}

/**
 * A bcrypt hash as auth-license-server stored it. It hashed the password's UTF-8 bytes as typed (no
 * NFKC), so it is verified the same way.
 */
export function isBcrypt(hash: string): boolean {
  return /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash);
}

/** A counting semaphore: runs at most `free` tasks at once, the rest in arrival order. */
class Slots {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
