// The owner rule (README "How the code is laid out"): every table in db/schema.ts has one owning
// module, and only files inside it import the table. Everyone else calls the owner's use cases.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { is } from "drizzle-orm";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import * as schema from "../db/schema";

/** Table (its export name in db/schema.ts) → the folder that owns it. Add a new table here. */
const OWNERS: Record<string, string> = {
  users: "src/users",
  sessions: "src/sessions",
  licenses: "src/licenses",
  webhookTokens: "src/webhooks",
  webhookEvents: "src/webhooks",
  emailTokens: "src/passwords",
  mailOutbox: "src/mail",
  rateLimits: "src/rate-limits",
  auditLog: "src/audit",
  storeProducts: "src/stores",
  storeCustomers: "src/stores",
  storeRefs: "src/stores",
  storeEvents: "src/stores",
  introspectionClients: "src/introspection",
  eventEndpoints: "src/events",
  eventDeliveries: "src/events",
  legacyIds: "src/import",
};

const ROOT = resolve(import.meta.dir, "..");
const SCANNED = ["src", "views", "scripts"];
const SCHEMA = join(ROOT, "db", "schema");

const TABLES = Object.entries(schema)
  .filter(([, value]) => is(value, SQLiteTable))
  .map(([name]) => name);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

// `import { a, type B, c as d } from "…"`, `import * as s from "…"`, `export { a } from "…"`, `import("…")`.
const STATIC_IMPORT = /\b(?:import|export)\s+(?:type\s+)?(\{[^}]*\}|\*\s+as\s+\w+|\*)\s*from\s*["']([^"']+)["']/g;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g;

/** The tables a file imports from db/schema (all of them for a namespace or dynamic import). */
function importedTables(file: string, source: string): string[] {
  const fromSchema = (specifier: string) =>
    specifier.startsWith(".") && resolve(dirname(join(ROOT, file)), specifier).replace(/\.ts$/, "") === SCHEMA;
  const tables: string[] = [];
  for (const [, clause = "", specifier = ""] of source.matchAll(STATIC_IMPORT)) {
    if (!fromSchema(specifier)) continue;
    if (!clause.startsWith("{")) {
      tables.push(...TABLES);
      continue;
    }
    const names = clause
      .slice(1, -1)
      .split(",")
      .map(
        (n) =>
          n
            .trim()
            .replace(/^type\s+/, "")
            .split(/\s+as\s+/)[0] ?? "",
      )
      .filter(Boolean);
    tables.push(...names.filter((n) => TABLES.includes(n)));
  }
  for (const [, specifier = ""] of source.matchAll(DYNAMIC_IMPORT)) {
    if (fromSchema(specifier)) tables.push(...TABLES);
  }
  return tables;
}

const inside = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);

describe("one owner per table", () => {
  test("every table exported by db/schema.ts has an owner in OWNERS", () => {
    const missing = TABLES.filter((table) => !(table in OWNERS)).map(
      (table) =>
        `db/schema.ts exports table "${table}" with no owner: add it to OWNERS in test/architecture.test.ts ` +
        `(${table}: "src/<feature>") and keep its queries in that folder`,
    );
    const stale = Object.keys(OWNERS)
      .filter((table) => !TABLES.includes(table))
      .map((table) => `OWNERS names "${table}", which db/schema.ts no longer exports: remove it`);
    expect([...missing, ...stale]).toEqual([]);
    expect(TABLES.length).toBeGreaterThan(0);
  });

  test("only a table's owner imports it from db/schema (src, views, scripts)", () => {
    const files = SCANNED.flatMap(sourceFiles);
    const violations = files.flatMap((file) =>
      importedTables(file, readFileSync(join(ROOT, file), "utf8"))
        .filter((table) => OWNERS[table] && !inside(file, OWNERS[table] as string))
        .map((table) => `${file} imports table "${table}": only ${OWNERS[table]} may; call one of its use cases`),
    );
    expect(violations).toEqual([]);
    expect(files.length).toBeGreaterThan(50);
  });

  test("the import reader sees named, aliased, type, namespace and dynamic imports of a table", () => {
    expect(importedTables("src/x/a.ts", 'import {\n  sessions as s,\n  type User,\n} from "../../db/schema";')).toEqual(
      ["sessions"],
    );
    expect(importedTables("src/x/a.ts", 'import { type users } from "../../db/schema.ts";')).toEqual(["users"]);
    expect(importedTables("src/x/a.ts", 'import * as db from "../../db/schema";')).toEqual(TABLES);
    expect(importedTables("src/x/a.ts", 'const m = await import("../../db/schema");')).toEqual(TABLES);
    expect(importedTables("src/x/a.ts", 'import { users } from "./schema";')).toEqual([]);
    expect(importedTables("scripts/a.ts", 'export { licenses } from "../db/schema";')).toEqual(["licenses"]);
  });
});
