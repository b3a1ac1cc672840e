// Builds an auth-license-server SQLite database (test/fixtures/auth-license-server.sql) with rows
// written the way its Prisma Client writes them: integer ids, Unix ms dates, real bcrypt hashes
// ($2b$, cost 10, as the `bcrypt` package makes them), JWT-shaped webhook and session tokens.
import { createClient, type InArgs } from "@libsql/client";
import { SQL } from "bun";
import { hash } from "@node-rs/bcrypt";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const SCHEMA = readFileSync(join(import.meta.dir, "fixtures", "auth-license-server.sql"), "utf8");
const PG_SCHEMA = readFileSync(join(import.meta.dir, "fixtures", "auth-license-server.pg.sql"), "utf8");

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

export const FAR = Date.parse("2040-01-01T00:00:00Z");

/** The seed's own admin as both import tests bring it over: two licenses, a live and a revoked webhook, two live sessions. */
export const KEVIN: SeedUser = {
  email: "Kevin@Example.com",
  name: "Kevin B",
  password: "password", // the seed's own: far below our 15 characters, must still sign in
  role: "ADMIN",
  licenses: [
    { productId: "123456789", seats: 1, validUntil: FAR },
    { productId: "123456789", seats: 5, validUntil: "2040-06-01 00:00:00" },
  ],
  webhooks: [{ name: "Shop" }, { name: "Old shop", revoked: true }],
  liveSessions: 2,
};

/** bcrypt at cost 10, written with the `$2b$` prefix of the `bcrypt` package ($2y$ is the same algorithm). */
export async function bcryptHash(password: string): Promise<string> {
  return (await hash(password, 10)).replace(/^\$2y\$/, "$2b$");
}

/** Inserts one row (`?` placeholders) and answers its new integer id. */
type Insert = (sql: string, args: unknown[]) => Promise<number>;

async function seedRows(insert: Insert, users: SeedUser[], date: (d: number | string) => unknown): Promise<void> {
  for (const u of users) {
    const at = date(u.createdAt ?? Date.parse("2022-07-01T10:00:00Z"));
    const userId = await insert(
      `INSERT INTO "User" ("createdAt", "updatedAt", email, name, password, role, status) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [at, at, u.email, u.name, await bcryptHash(u.password), u.role ?? "OWNER", u.status ?? "ACTIVE"],
    );
    for (const l of u.licenses ?? []) {
      await insert(
        `INSERT INTO "License" ("createdAt", "updatedAt", "validUntil", "productId", seats, "userId") VALUES (?, ?, ?, ?, ?, ?)`,
        [at, at, date(l.validUntil), l.productId, l.seats, userId],
      );
    }
    for (const w of u.webhooks ?? []) {
      await insert(`INSERT INTO "Webhook" ("createdAt", "updatedAt", name, token, "userId") VALUES (?, ?, ?, ?, ?)`, [
        at,
        at,
        w.name,
        w.revoked ? null : fakeJwt(),
        userId,
      ]);
    }
    for (let i = 0; i < (u.liveSessions ?? 0); i++) {
      await insert(
        `INSERT INTO "Session" ("createdAt", "updatedAt", token, "userAgent", limited, "userId") VALUES (?, ?, ?, ?, ?, ?)`,
        [at, at, fakeJwt(), "Mozilla/5.0", false, userId],
      );
    }
  }
}

/** The SQLite file, dates stored as Prisma Client stores them (Unix ms) or as given (a default's text). */
export async function buildAuthLicenseServerDb(file: string, users: SeedUser[]): Promise<void> {
  const client = createClient({ url: `file:${file}` });
  try {
    await client.executeMultiple(SCHEMA);
    const insert: Insert = async (sql, args) =>
      Number((await client.execute({ sql, args: args as InArgs })).lastInsertRowid);
    await seedRows(insert, users, (d) => d);
  } finally {
    client.close();
  }
}

/** The same rows in a Postgres database laid out as Prisma's Postgres migrations leave it. */
export async function buildAuthLicenseServerPg(url: string, users: SeedUser[]): Promise<void> {
  const sql = new SQL(url, { max: 1 });
  try {
    await sql.unsafe(PG_SCHEMA);
    const insert: Insert = async (query, args) => {
      let n = 0;
      const numbered = `${query.replace(/\?/g, () => `$${++n}`)} RETURNING id`;
      const [row] = (await sql.unsafe(numbered, args)) as { id: number }[];
      return Number(row?.id);
    };
    await seedRows(insert, users, (d) => (typeof d === "number" ? new Date(d) : d));
  } finally {
    await sql.close();
  }
}

/** A token shaped like the HS256 JWTs it stored (never verified by the import). */
function fakeJwt(): string {
  const part = () => Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
  return `${part()}.${part()}.${part()}`;
}
