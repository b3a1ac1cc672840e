// `bun run admin import auth-license-server <file>`: users (email, name, role, status and their
// bcrypt hash, verified at sign-in and replaced by Argon2id then), licenses, and webhooks
// re-issued with new tokens. What was brought is remembered (legacy-ids), so a re-run changes
// nothing; a dry run does the same work in transactions that roll back.
import type { Tx } from "../../db/client";
import { ROLES, type Role, type User, type UserStatus } from "../../db/schema";
import { auditIn } from "../audit/audit";
import type { Deps } from "../deps";
import { AppError } from "../errors";
import { createLicenseIn } from "../licenses/service";
import { isBcrypt } from "../passwords/hasher";
import { findUserByEmailIn, insertUser } from "../users/service";
import { createWebhookIn } from "../webhooks/tokens";
import { findLegacyIdIn, legacyIdOfIn, recordLegacyIdIn } from "./legacy-ids";
import { readSourceDatabase, type SourceDatabase, type SourceLicense, type SourceUser } from "./source";

const BATCH = 50;
const ACTOR = "operator";

export type ItemKind = "user" | "license" | "webhook";
export interface Tally {
  imported: number;
  already: number;
  skipped: number;
}
export interface Skipped {
  kind: ItemKind;
  legacyId: number;
  reason: string;
}
export interface IssuedWebhook {
  legacyId: number;
  id: string;
  name: string;
  token: string;
  url: string;
}
export interface ImportReport {
  dryRun: boolean;
  users: Tally & { matched: number };
  licenses: Tally;
  webhooks: Tally;
  skipped: Skipped[];
  notes: string[];
  /** New webhook tokens, shown this once (none on a dry run). */
  issuedWebhooks: IssuedWebhook[];
  liveSessions: number;
}

export interface ImportOptions {
  dryRun?: boolean;
  onProgress?: (done: number, total: number) => void;
}

class DryRun extends Error {
  constructor(readonly report: ImportReport) {
    super("dry run");
  }
}

/** `location`: its SQLite file, or the postgres:// URL of the database it ran on. */
export async function importAuthLicenseServer(
  deps: Deps,
  location: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const source = await readSourceDatabase(location);
  const dryRun = options.dryRun ?? false;
  let report = emptyReport(dryRun, source.liveSessions);
  for (let start = 0; start < source.users.length; start += BATCH) {
    const batch = source.users.slice(start, start + BATCH);
    // A batch's work is returned, not accumulated, so a retried transaction never counts twice.
    const run = async (tx: Tx) => {
      const next = structuredClone(report);
      for (const user of batch) await importUserIn(tx, deps, source, user, next);
      if (dryRun) throw new DryRun(next);
      return next;
    };
    try {
      report = await deps.db.write(run);
    } catch (error) {
      if (!(error instanceof DryRun)) throw error;
      report = error.report;
    }
    options.onProgress?.(start + batch.length, source.users.length);
  }
  if (dryRun) report.issuedWebhooks = [];
  return report;
}

function emptyReport(dryRun: boolean, liveSessions: number): ImportReport {
  const tally = () => ({ imported: 0, already: 0, skipped: 0 });
  return {
    dryRun,
    users: { ...tally(), matched: 0 },
    licenses: tally(),
    webhooks: tally(),
    skipped: [],
    notes: [],
    issuedWebhooks: [],
    liveSessions,
  };
}

function skip(report: ImportReport, kind: ItemKind, legacyId: number, reason: string) {
  report[`${kind}s`].skipped++;
  report.skipped.push({ kind, legacyId, reason });
}

/** One user of the source with their licenses and webhooks. */
async function importUserIn(tx: Tx, deps: Deps, source: SourceDatabase, row: SourceUser, report: ImportReport) {
  const licenses = source.licenses.filter((l) => l.userId === row.id);
  const webhooks = source.webhooks.filter((w) => w.userId === row.id);
  const userId = await userFor(tx, deps, row, report);
  if (userId === undefined) {
    for (const l of licenses) skip(report, "license", l.id, `its user #${row.id} was skipped`);
    for (const w of webhooks) skip(report, "webhook", w.id, `its user #${row.id} was skipped`);
    return;
  }
  for (const license of licenses) await importLicenseIn(tx, deps, userId, license, report);
  for (const webhook of webhooks) {
    if (!webhook.live) skip(report, "webhook", webhook.id, "revoked in auth-license-server");
    else if (await findLegacyIdIn(tx, "webhook", webhook.id)) report.webhooks.already++;
    else {
      const name = webhook.name.trim() || `webhook #${webhook.id}`;
      const created = await createWebhookIn(tx, deps, { name, createdBy: userId, actor: ACTOR });
      await recordLegacyIdIn(tx, deps, "webhook", webhook.id, created.id);
      report.webhooks.imported++;
      // The URL form auth-license-server handed out: a store keeps posting there with the new token.
      const url = `${deps.config.publicUrl}/api/webhook?token=${created.token}`;
      report.issuedWebhooks.push({ legacyId: webhook.id, ...created, url });
    }
  }
}

/** Our user for a source user: already imported, matched by email, or created. */
async function userFor(tx: Tx, deps: Deps, row: SourceUser, report: ImportReport): Promise<string | undefined> {
  const known = await findLegacyIdIn(tx, "user", row.id);
  if (known) {
    report.users.already++;
    return known;
  }
  const problem = userProblem(row);
  if (problem) return void skip(report, "user", row.id, problem);
  const existing = await findUserByEmailIn(tx, row.email);
  if (existing) return matchExisting(tx, deps, row, existing, report);
  let user: User;
  try {
    user = await insertUser(tx, deps, {
      email: row.email,
      name: row.name.trim() || row.email,
      role: roleOf(row, report),
      status: statusOf(row, report),
      passwordHash: row.password,
      ...(row.createdAt === null ? {} : { createdAt: row.createdAt }),
    });
  } catch (error) {
    if (error instanceof AppError && error.status === 400) return void skip(report, "user", row.id, error.message);
    throw error;
  }
  await recordLegacyIdIn(tx, deps, "user", row.id, user.id);
  await auditIn(tx, deps, {
    event: "user.imported",
    userId: user.id,
    actor: ACTOR,
    detail: { source: "auth-license-server", legacyId: row.id },
  });
  report.users.imported++;
  return user.id;
}

async function matchExisting(tx: Tx, deps: Deps, row: SourceUser, existing: User, report: ImportReport) {
  // Two source users whose emails differ only in case would become one user here: the first wins.
  const twin = await legacyIdOfIn(tx, "user", existing.id);
  if (twin !== undefined) return void skip(report, "user", row.id, `its email differs only in case from user #${twin}`);
  report.users.matched++;
  report.notes.push(`user #${row.id} (${existing.email}) already existed here: kept its password, role and status`);
  await recordLegacyIdIn(tx, deps, "user", row.id, existing.id);
  return existing.id;
}

function userProblem(row: SourceUser): string | undefined {
  if (!isBcrypt(row.password)) return "its password is not a bcrypt hash";
  return undefined;
}

function roleOf(row: SourceUser, report: ImportReport): Role {
  if ((ROLES as readonly string[]).includes(row.role)) return row.role as Role;
  report.notes.push(`user #${row.id}: role "${row.role}" is unknown here; imported as OWNER`);
  return "OWNER";
}

function statusOf(row: SourceUser, report: ImportReport): UserStatus {
  if (row.status === "ACTIVE" || row.status === "INACTIVE") return row.status;
  report.notes.push(`user #${row.id}: status "${row.status}" imported as INACTIVE`);
  return "INACTIVE";
}

async function importLicenseIn(tx: Tx, deps: Deps, userId: string, row: SourceLicense, report: ImportReport) {
  if (await findLegacyIdIn(tx, "license", row.id)) return void report.licenses.already++;
  if (row.validUntil === null) return skip(report, "license", row.id, "its validUntil is not a date");
  try {
    const license = await createLicenseIn(
      tx,
      deps,
      { userId, productId: row.productId, seats: row.seats, validUntil: row.validUntil },
      { actor: "operator" },
    );
    await recordLegacyIdIn(tx, deps, "license", row.id, license.id);
    report.licenses.imported++;
  } catch (error) {
    if (error instanceof AppError && error.status === 400) return skip(report, "license", row.id, error.message);
    throw error;
  }
}
