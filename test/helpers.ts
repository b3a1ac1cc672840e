// Test harness: the real app on a fresh temp-file libSQL database per call, real SMTP server,
// fixed clock, fast Argon2id parameters. Requests go through app.handle(new Request(…)).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../db/client";
import { migrateDatabase } from "../db/migrate";
import { createApp, type App } from "../src/app";
import { loadConfig, type Env } from "../src/config";
import type { Deps } from "../src/deps";
import { encodeJwk, generateKeyMaterial, importKeys } from "../src/keys/keys";
import { withOutbox } from "../src/mail/sender";
import { createMailTransport } from "../src/mail/transport";
import { createHasher } from "../src/passwords/hasher";
import { FixedClock, MemoryLogger } from "./fakes";
import { startSmtpServer, type TestSmtp } from "./smtp";

/** Cheap Argon2id parameters for tests that are not about hashing cost. */
export const FAST_HASH = { memorySize: 1024, iterations: 1, parallelism: 1 };

export interface TestContext {
  app: App;
  deps: Deps;
  clock: FixedClock;
  log: MemoryLogger;
  smtp: TestSmtp;
  dir: string;
  request(method: string, path: string, init?: { body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  json<T = Record<string, unknown>>(res: Response): Promise<T>;
  close(): Promise<void>;
}

export function tempDir(prefix = "seatkey-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function createTestContext(options: { env?: Env } = {}): Promise<TestContext> {
  const dir = tempDir();
  const smtp = await startSmtpServer();
  const { privateJwk, secretKey } = await generateKeyMaterial();
  const config = loadConfig({
    NODE_ENV: "test",
    PUBLIC_URL: "http://localhost:3000",
    DATABASE_URL: `file:${join(dir, "test.db")}`,
    SMTP_URL: smtp.url,
    MAIL_FROM: "seatkey <no-reply@seatkey.test>",
    JWT_PRIVATE_KEY: encodeJwk(privateJwk),
    SECRET_KEY: secretKey,
    ...options.env,
  });
  const db = await openDatabase({ url: config.databaseUrl });
  await migrateDatabase(db);
  const log = new MemoryLogger();
  const clock = new FixedClock();
  const deps: Deps = withOutbox({
    config,
    db,
    clock,
    keys: await importKeys({ privateKey: config.jwtPrivateKey!, previousPublicKeys: config.jwtPublicKeys, secretKey }),
    log,
    mailer: createMailTransport(config, log),
    hasher: createHasher(FAST_HASH),
  });
  const app = createApp(deps);
  return {
    app,
    deps,
    clock,
    log,
    smtp,
    dir,
    request(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      let body: string | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
        headers["content-type"] ??= "application/json";
        // As a real HTTP client would send it (the app refuses oversized bodies by it).
        headers["content-length"] ??= String(Buffer.byteLength(body));
      }
      return app.handle(new Request(`http://localhost${path}`, { method, headers, body }));
    },
    json: async <T>(res: Response) => (await res.json()) as T,
    async close() {
      db.close();
      await smtp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
