// Argon2id verify cost at the OWASP parameters (19 MiB, 2 iterations, parallelism 1):
// Bun.password against @node-rs/argon2 (what oslo/password, our hasher, wraps). One verify runs on
// one thread, so verifies/s with one in flight is the per-core figure; two in flight use both cores.
import { hash as rsHash, verify as rsVerify } from "@node-rs/argon2";
import { createHasher, OWASP_ARGON2ID } from "../../src/passwords/hasher";

export interface HashResult {
  name: string;
  /** verifies per second with one verify in flight (one core). */
  perCore: number;
  /** verifies per second with two in flight (both cores of this machine). */
  twoInFlight: number;
}

const PASSWORD = "correct horse battery staple, benchmark";

async function rate(verify: () => Promise<boolean>, inFlight: number, seconds: number): Promise<number> {
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      if (!(await verify())) throw new Error("verify returned false for the right password");
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, loop));
  return done / ((performance.now() - started) / 1000);
}

async function measure(name: string, verify: () => Promise<boolean>, seconds: number): Promise<HashResult> {
  await verify(); // warm-up
  return { name, perCore: await rate(verify, 1, seconds), twoInFlight: await rate(verify, 2, seconds) };
}

export async function benchHashing(seconds: number): Promise<HashResult[]> {
  const { memorySize, iterations, parallelism } = OWASP_ARGON2ID;
  const bunHash = await Bun.password.hash(PASSWORD, {
    algorithm: "argon2id",
    memoryCost: memorySize,
    timeCost: iterations,
  });
  // 2 = Algorithm.Argon2id (a const enum, which this build setup cannot import).
  const rsOptions = { algorithm: 2, memoryCost: memorySize, timeCost: iterations, parallelism };
  const nodeRsHash = await rsHash(PASSWORD, rsOptions);
  const hasher = createHasher();
  const osloHash = await hasher.hash(PASSWORD);
  return [
    await measure("Bun.password (argon2id)", () => Bun.password.verify(PASSWORD, bunHash), seconds),
    await measure("@node-rs/argon2", () => rsVerify(nodeRsHash, PASSWORD), seconds),
    await measure("seatkey hasher (oslo → @node-rs/argon2)", () => hasher.verify(osloHash, PASSWORD), seconds),
  ];
}
