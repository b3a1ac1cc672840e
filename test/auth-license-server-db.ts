// Builds an auth-license-server SQLite database (test/fixtures/auth-license-server.sql) with rows
// written the way its Prisma Client writes them: integer ids, Unix ms dates, real bcrypt hashes
// ($2b$, cost 10, as the `bcrypt` package makes them), JWT-shaped webhook and session tokens.
import { createClient } from "@libsql/client";
import { hash } from "@node-rs/bcrypt";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const SCHEMA = readFileSync(join(import.meta.dir, "fixtures", "auth-license-server.sql"), "utf8");

export interface SeedUser {
  email: string;
  name: string;
  password: string;
  role?: string;
  status?: string;
  /** Stored as given when a string (a column default's "YYYY-MM-DD HH:MM:SS"), else Unix ms. */
  createdAt?: number | string;
  licenses?: { productId: string; seats: number; validUntil: number | string }[];
  webhooks?: { name: string; revoked?: boolean }[];
  liveSessions?: number;
}

/** bcrypt at cost 10, written with the `$2b$` prefix of the `bcrypt` package ($2y$ is the same algorithm). */
export async function bcryptHash(password: string): Promise<string> {
  return (await hash(password, 10)).replace(/^\$2y\$/, "$2b$");
}

export async function buildAuthLicenseServerDb(file: string, users: SeedUser[]): Promise<void> {
  const client = createClient({ url: `file:${file}` });
  try {
    await client.executeMultiple(SCHEMA);
    for (const u of users) {
      const at = u.createdAt ?? Date.parse("2022-07-01T10:00:00Z");
      const { lastInsertRowid } = await client.execute({
        sql: `INSERT INTO "User" (createdAt, updatedAt, email, name, password, role, status) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        args: [at, at, u.email, u.name, await bcryptHash(u.password), u.role ?? "OWNER", u.status ?? "ACTIVE"],
      });
      const userId = Number(lastInsertRowid);
      for (const l of u.licenses ?? []) {
        await client.execute({
          sql: `INSERT INTO "License" (createdAt, updatedAt, validUntil, productId, seats, userId) VALUES (?, ?, ?, ?, ?, ?)`,
          args: [at, at, l.validUntil, l.productId, l.seats, userId],
        });
      }
      for (const w of u.webhooks ?? []) {
        await client.execute({
          sql: `INSERT INTO "Webhook" (createdAt, updatedAt, name, token, userId) VALUES (?, ?, ?, ?, ?)`,
          args: [at, at, w.name, w.revoked ? null : fakeJwt(), userId],
        });
      }
      for (let i = 0; i < (u.liveSessions ?? 0); i++) {
        await client.execute({
          sql: `INSERT INTO "Session" (createdAt, updatedAt, token, userAgent, limited, userId) VALUES (?, ?, ?, ?, ?, ?)`,
          args: [at, at, fakeJwt(), "Mozilla/5.0", 0, userId],
        });
      }
    }
  } finally {
    client.close();
  }
}

/** A token shaped like the HS256 JWTs it stored (never verified by the import). */
function fakeJwt(): string {
  const part = () => Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
  return `${part()}.${part()}.${part()}`;
}
