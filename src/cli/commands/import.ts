// import auth-license-server <file | postgres:// URL> [--dry-run]
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { importAuthLicenseServer, type ImportReport, type Tally } from "../../import/auth-license-server";
import type { Output } from "../output";
import type { Register } from "../program";

export const registerImport: Register = (program, context) => {
  program
    .command("import")
    .description("bring users, licenses and webhooks over from another server")
    .command("auth-license-server")
    .description(
      "import an auth-license-server database (SQLite file or Postgres): users keep their passwords (bcrypt, replaced by " +
        "Argon2id at their next sign-in), licenses, webhooks re-issued with new tokens. A re-run changes nothing.",
    )
    .argument("<source>", "its SQLite database file (prisma/auth.db), or its postgres:// URL")
    .option("--dry-run", "show what would change and change nothing")
    .action(async (source: string, opts: { dryRun?: boolean }, cmd: Command) => {
      const { out, run } = context(cmd);
      const bar =
        !out.json && process.stderr.isTTY ? new SingleBar({ stream: process.stderr, hideCursor: true }) : undefined;
      const report = await run((deps) =>
        importAuthLicenseServer(deps, source, {
          dryRun: opts.dryRun,
          onProgress: (done, total) => {
            if (bar && !bar.isActive) bar.start(total, 0);
            bar?.update(done);
          },
        }),
      ).finally(() => bar?.stop());
      out.result(report, () => printReport(out, report));
    });
};

function printReport(out: Output, r: ImportReport) {
  const c = out.colors;
  const tally = (name: string, t: Tally, extra = "") =>
    out.line(
      `${name.padEnd(9)} ${r.dryRun ? "would import" : "imported"} ${t.imported}, already here ${t.already}, skipped ${t.skipped}${extra}`,
    );
  out.line(c.bold(r.dryRun ? "Dry run: nothing was changed." : "Import finished."));
  tally("users", r.users, `, matched by email ${r.users.matched}`);
  tally("licenses", r.licenses);
  tally("webhooks", r.webhooks);
  if (r.liveSessions > 0) out.line(`sessions  ${r.liveSessions} not brought over: those users sign in again`);
  for (const note of r.notes) out.line(c.dim(`note: ${note}`));
  for (const s of r.skipped) out.line(c.yellow(`skipped ${s.kind} #${s.legacyId}: ${s.reason}`));
  if (r.issuedWebhooks.length === 0) return;
  out.line(c.bold("\nNew webhook tokens — shown this once; give each store its new URL:"));
  out.table(r.issuedWebhooks, [
    { header: "old id", value: (w) => w.legacyId },
    { header: "name", value: (w) => w.name },
    { header: "url", value: (w) => w.url },
  ]);
}
