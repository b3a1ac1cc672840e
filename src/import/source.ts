// Reading an auth-license-server database (its Prisma SQLite schema: tables "User", "License",
// "Webhook", "Session"). Only SELECTs: the file is never changed.
import { createClient, type Client, type Row } from "@libsql/client";
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

/**
 * A Prisma DateTime in SQLite: Unix ms from Prisma Client, "YYYY-MM-DD HH:MM:SS" (UTC) from a
 * column default, or an ISO string from a driver adapter. null when it is none of these.
 */
export function parseSourceDate(value: unknown): number | null {
  if (typeof value === "number" || typeof value === "bigint")
    return Number.isFinite(Number(value)) ? Number(value) : null;
  if (typeof value !== "string" || value.trim() === "") return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text.replace(" ", "T")}Z` : text;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

export async function readSourceDatabase(file: string): Promise<SourceDatabase> {
  // libSQL would create an empty database for a missing path: refuse first.
  if (!existsSync(file)) throw badRequest("file_not_found", `No such file: ${file}`, "file");
  const client = createClient({ url: `file:${resolve(file)}` });
  try {
    await assertSchema(client, file);
    const [users, licenses, webhooks, sessions] = await Promise.all([
      client.execute(`SELECT id, email, name, password, role, status, createdAt FROM "User" ORDER BY id`),
      client.execute(`SELECT id, userId, productId, seats, validUntil FROM "License" ORDER BY id`),
      client.execute(`SELECT id, userId, name, token FROM "Webhook" ORDER BY id`),
      client.execute(`SELECT count(*) AS n FROM "Session" WHERE token IS NOT NULL`),
    ]);
    return {
      users: users.rows.map(toUser),
      licenses: licenses.rows.map(toLicense),
      webhooks: webhooks.rows.map((r) => ({
        id: Number(r.id),
        userId: Number(r.userId),
        name: String(r.name ?? ""),
        live: r.token !== null,
      })),
      liveSessions: Number(sessions.rows[0]?.n ?? 0),
    };
  } finally {
    client.close();
  }
}

async function assertSchema(client: Client, file: string): Promise<void> {
  let names: Set<string>;
  try {
    const tables = await client.execute(`SELECT name FROM sqlite_master WHERE type = 'table'`);
    names = new Set(tables.rows.map((r) => String(r.name)));
  } catch {
    throw badRequest("not_a_database", `${file} is not an SQLite database`, "file");
  }
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
