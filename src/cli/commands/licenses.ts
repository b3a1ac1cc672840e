// license grant | extend | set-seats | end | delete · session revoke · sessions revoke --user
import type { Command } from "commander";
import { endLicense, runAdminAction } from "../../admin/operations";
import { confirm } from "../confirm";
import { fields, productLabel, time, type Output } from "../output";
import { findUserByRef, OPERATOR, wholeNumber, type Register } from "../program";

interface LicenseView {
  id: string;
  userId: string;
  productId: string;
  productName: string | null;
  seats: number;
  validUntil: number;
}

function printLicense(out: Output, verb: string, answer: Record<string, unknown>) {
  const license = answer.license as LicenseView;
  out.line(`${verb} license ${license.id}`);
  fields(out, [
    ["product", productLabel(license.productId, license.productName)],
    ["seats", license.seats],
    ["valid until", time(license.validUntil)],
    ...(answer.revokedSessions ? [["sessions ended", answer.revokedSessions] as [string, unknown]] : []),
  ]);
}

const DATE_HELP = "an ISO date (2031-01-31, 2031-01-31T12:00:00Z) or Unix ms";

export const registerLicenses: Register = (program, context) => {
  const license = program.command("license").description("grant and change licenses");
  license
    .command("grant")
    .description("give a user a license")
    .argument("<user>", "email or id")
    .requiredOption("--product <productId>", "the product")
    .requiredOption("--until <date>", DATE_HELP)
    .option("--seats <n>", "seats", "1")
    .option("--name <productName>", "the product's display name (shown instead of its id)")
    .action(
      async (ref: string, opts: { product: string; until: string; seats: string; name?: string }, cmd: Command) => {
        const { out, run } = context(cmd);
        const seats = wholeNumber(opts.seats, "--seats");
        const answer = await run(async (deps) => {
          const user = await findUserByRef(deps, ref);
          const payload = {
            userId: user.id,
            productId: opts.product,
            ...(opts.name === undefined ? {} : { productName: opts.name }),
            seats,
            validUntil: opts.until,
          };
          return runAdminAction(deps, "create-license", payload, OPERATOR);
        });
        out.result(answer, () => printLicense(out, "granted", answer));
      },
    );

  const change =
    (verb: string, payload: (value: string) => Record<string, unknown>, ask?: string) =>
    async (id: string, value: string, opts: { yes?: boolean }, cmd: Command) => {
      const { out, run } = context(cmd);
      const changes = payload(value);
      if (ask) await confirm(ask, opts.yes);
      const answer = await run((deps) =>
        runAdminAction(deps, "update-license", { licenseId: id, ...changes }, OPERATOR),
      );
      out.result(answer, () => printLicense(out, verb, answer));
    };
  license
    .command("extend")
    .description("move a license's end date (never signs anyone out)")
    .argument("<licenseId>")
    .argument("<until>", DATE_HELP)
    .action(change("extended", (until) => ({ validUntil: /^\d+$/.test(until) ? Number(until) : until })));
  license
    .command("set-seats")
    .description("change a license's seats; fewer seats sign out the excess sessions (least recently used first)")
    .argument("<licenseId>")
    .argument("<seats>")
    .option("--yes", "do not ask for confirmation")
    .action(
      change(
        "changed",
        (n) => ({ seats: wholeNumber(n, "seats") }),
        "Change the seats? Fewer seats sign out sessions.",
      ),
    );
  license
    .command("end")
    .description("end a license now: its sessions become limited at their next refresh")
    .argument("<licenseId>")
    .option("--yes", "do not ask for confirmation")
    .action(async (id: string, opts: { yes?: boolean }, cmd: Command) => {
      const { out, run } = context(cmd);
      await confirm(`End license ${id} now?`, opts.yes);
      const answer = await run((deps) => endLicense(deps, id, OPERATOR));
      out.result(answer, () => printLicense(out, "ended", answer));
    });
  license
    .command("delete")
    .description("delete a license; its user's sessions end")
    .argument("<licenseId>")
    .option("--yes", "do not ask for confirmation")
    .action(async (id: string, opts: { yes?: boolean }, cmd: Command) => {
      const { out, run } = context(cmd);
      await confirm(`Delete license ${id} and end its user's sessions?`, opts.yes);
      const answer = await run((deps) => runAdminAction(deps, "delete-license", { licenseId: id }, OPERATOR));
      out.result(answer, () => out.line(`deleted license ${id} (${answer.revokedSessions} sessions ended)`));
    });

  program
    .command("session")
    .description("end one session")
    .command("revoke")
    .description("end a session: its refresh token stops working (its access token lives until it expires)")
    .argument("<sessionId>")
    .option("--yes", "do not ask for confirmation")
    .action(async (id: string, opts: { yes?: boolean }, cmd: Command) => {
      const { out, run } = context(cmd);
      await confirm(`Revoke session ${id}?`, opts.yes);
      const answer = await run((deps) => runAdminAction(deps, "revoke-session", { sessionId: id }, OPERATOR));
      out.result(answer, () => out.line(answer.revoked ? `revoked session ${id}` : `session ${id} was already ended`));
    });
  program
    .command("sessions")
    .description("end many sessions")
    .command("revoke")
    .description("end every session of a user")
    .requiredOption("--user <user>", "email or id")
    .option("--yes", "do not ask for confirmation")
    .action(async (opts: { user: string; yes?: boolean }, cmd: Command) => {
      const { out, run } = context(cmd);
      const answer = await run(async (deps) => {
        const user = await findUserByRef(deps, opts.user);
        await confirm(`End every session of ${user.email}?`, opts.yes);
        return runAdminAction(deps, "revoke-all-user-sessions", { userId: user.id }, OPERATOR);
      });
      out.result(answer, () => out.line(`ended ${answer.revokedSessions} sessions of ${opts.user}`));
    });
};
