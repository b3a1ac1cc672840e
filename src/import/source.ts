// Reading an auth-license-server database (its Prisma schema: tables "User", "License", "Webhook",
// "Session"), from its SQLite file or, when it ran on Postgres, a postgres:// URL (read with Bun's
// built-in Postgres client). Only SELECTs: the source is never changed.
import { createClient, type Client } from "@libsql/client";
import { SQL } from "bun";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { badRequest } from "../errors";

export interface SourceUser {
  id: number;
  email: string;
  name: string;
  password: string;
  role: string;
  status: string;
  createdAt: number | null;
}
export interface SourceLicense {
  id: number;
  userId: number;
  productId: string;
  seats: number;
  validUntil: number | null;
}
export interface SourceWebhook {
  id: number;
  userId: number;
  name: string;
  /** null: revoked there. */
  live: boolean;
}
export interface SourceDatabase {
  users: SourceUser[];
  licenses: SourceLicense[];
  webhooks: SourceWebhook[];
  /** Sessions with a live refresh token there: not brought over (their users sign in again). */
  liveSessions: number;
}

const TABLES = ["User", "License", "Webhook", "Session"];

type Row = Record<string, unknown>;

const QUERIES = {
  users: `SELECT id, email, name, password, role, status, "createdAt" FROM "User" ORDER BY id`,
  licenses: `SELECT id, "userId", "productId", seats, "validUntil" FROM "License" ORDER BY id`,
  webhooks: `SELECT id, "userId", name, token FROM "Webhook" ORDER BY id`,
  liveSessions: `SELECT count(*) AS n FROM "Session" WHERE token IS NOT NULL`,
};

/**
 * A Prisma DateTime: a Date from Postgres; in SQLite, Unix ms from Prisma Client, "YYYY-MM-DD
 * HH:MM:SS" (UTC) from a column default, or an ISO string from a driver adapter. null when it is
 * none of these.
 */
export function parseSourceDate(value: unknown): number | null {
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : null;
  if (typeof value === "number" || typeof value === "bigint")
    return Number.isFinite(Number(value)) ? Number(value) : null;
  if (typeof value !== "string" || value.trim() === "") return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text.replace(" ", "T")}Z` : text;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/** `source`: the SQLite file, or a postgres:// (postgresql://) URL of the database it ran on. */
export async function readSourceDatabase(source: string): Promise<SourceDatabase> {
  return /^postgres(ql)?:\/\//i.test(source) ? readPostgres(source) : readSqlite(source);
}

async function readSqlite(file: string): Promise<SourceDatabase> {
  // libSQL would create an empty database for a missing path: refuse first.
  if (!existsSync(file)) throw badRequest("file_not_found", `No such file: ${file}`, "file");
  const client = createClient({ url: `file:${resolve(file)}` });
  try {
    await assertSqliteSchema(client, file);
    return await readAll(async (query) => (await client.execute(query)).rows as unknown as Row[]);
  } finally {
    client.close();
  }
}

async function readPostgres(url: string): Promise<SourceDatabase> {
  const where = withoutPassword(url);
  const sql = new SQL(url, { max: 1, connectionTimeout: 10, idleTimeout: 1 });
  try {
    let tables: Row[];
    try {
      tables = await sql.unsafe(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`,
      );
    } catch (error) {
      const why = error instanceof Error ? error.message.replaceAll(url, where) : "no answer";
      throw badRequest("not_a_database", `Could not read the Postgres database at ${where}: ${why}`, "file");
    }
    assertTables(new Set(tables.map((r) => String(r.name))), where);
    return await readAll(async (query) => [...(await sql.unsafe(query))]);
  } finally {
    await sql.close();
  }
}

/** The URL as it may be printed: never its password. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "the given postgres:// URL";
  }
}

/** Runs the four reads (one at a time: SQLite and a one-connection pool alike) and shapes the rows. */
async function readAll(read: (query: string) => Promise<Row[]>): Promise<SourceDatabase> {
  const users = await read(QUERIES.users);
  const licenses = await read(QUERIES.licenses);
  const webhooks = await read(QUERIES.webhooks);
  const sessions = await read(QUERIES.liveSessions);
  return {
    users: users.map(toUser),
    licenses: licenses.map(toLicense),
    webhooks: webhooks.map((r) => ({
      id: Number(r.id),
      userId: Number(r.userId),
      name: String(r.name ?? ""),
      live: r.token !== null,
    })),
    liveSessions: Number(sessions[0]?.n ?? 0),
  };
}

async function assertSqliteSchema(client: Client, file: string): Promise<void> {
  let names: Set<string>;
  try {
    const tables = await client.execute(`SELECT name FROM sqlite_master WHERE type = 'table'`);
    names = new Set(tables.rows.map((r) => String(r.name)));
  } catch {
    throw badRequest("not_a_database", `${file} is not an SQLite database`, "file");
  }
  assertTables(names, file);
}

function assertTables(names: Set<string>, file: string): void {
  const missing = TABLES.filter((t) => !names.has(t));
  if (missing.length > 0) {
    throw badRequest(
      "not_auth_license_server",
      `${file} is not an auth-license-server database (no table ${missing.map((t) => `"${t}"`).join(", ")})`,
      "file",
    );
  }
}

function toUser(r: Row): SourceUser {
  return {
    id: Number(r.id),
    email: String(r.email ?? ""),
    name: String(r.name ?? ""),
    password: String(r.password ?? ""),
    role: String(r.role ?? ""),
    status: String(r.status ?? ""),
    createdAt: parseSourceDate(r.createdAt),
  };
}

function toLicense(r: Row): SourceLicense {
  return {
    id: Number(r.id),
    userId: Number(r.userId),
    productId: String(r.productId ?? ""),
    seats: Number(r.seats),
    validUntil: parseSourceDate(r.validUntil),
  };
}
