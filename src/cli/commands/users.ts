// users find · user show | create | disable | enable | delete | reset-link
import type { Command } from "commander";
import { getUserDetail, listUsers } from "../../admin/service";
import { listAuditEvents } from "../../audit/audit";
import type { Deps } from "../../deps";
import { seatSummary } from "../../seats/summary";
import { fields, productLabel, time, type Output } from "../output";
import { productNames } from "../../licenses/service";
import { createUserAs, resetLink, runAdminAction } from "../../admin/operations";
import { confirm } from "../confirm";
import { findUserByRef, OPERATOR, type Register } from "../program";
import { auditColumns } from "./audit";

const FIND_LIMIT = 50;
const RECENT_EVENTS = 10;

export const registerUsers: Register = (program, context) => {
  program
    .command("users")
    .description("find users")
    .command("find")
    .description(`users whose email contains <text> (at most ${FIND_LIMIT}, newest first)`)
    .argument("<text>", "part of an email address")
    .action(async (text: string, _opts, cmd: Command) => {
      const { out, run } = context(cmd);
      const found = await run((deps) => listUsers(deps, { page: 1, limit: FIND_LIMIT, search: text }));
      out.result(found, () => {
        out.table(found.users, [
          { header: "email", value: (u) => u.email },
          { header: "name", value: (u) => u.name },
          { header: "role", value: (u) => u.role },
          { header: "status", value: (u) => u.status },
          { header: "licenses", value: (u) => u.licenses.length },
          { header: "sessions", value: (u) => u.activeSessions },
          { header: "id", value: (u) => u.id },
        ]);
        if (found.total > found.users.length) out.line(`… ${found.total - found.users.length} more: narrow the text`);
      });
    });

  const user = program.command("user").description("see and change one user");
  user
    .command("show")
    .description("a user with licenses, seats used per product, live sessions and recent audit events")
    .argument("<user>", "email or id")
    .action(async (ref: string, _opts, cmd: Command) => {
      const { out, run } = context(cmd);
      const shown = await run((deps) => showUser(deps, ref));
      out.result(shown, () => printUser(out, shown));
    });

  user
    .command("create")
    .description("create a user without a password and print (and mail) a one-time set-password link")
    .argument("<email>")
    .argument("<name>")
    .option("--role <role>", "ADMIN, OWNER or MANAGER", "OWNER")
    .action(async (email: string, name: string, opts: { role: string }, cmd: Command) => {
      const { out, run } = context(cmd);
      const created = await run((deps) => createUserAs(deps, { email, name, role: opts.role }, OPERATOR), {
        mail: true,
      });
      out.result(created, () => {
        out.line(`created ${created.user.email} (id ${created.user.id})`);
        out.line(`set-password link, valid 30 minutes: ${created.link}`);
      });
    });

  const setStatus = (status: "ACTIVE" | "INACTIVE") => async (ref: string, opts: { yes?: boolean }, cmd: Command) => {
    const { out, run } = context(cmd);
    const changed = await run(
      async (deps) => {
        const found = await findUserByRef(deps, ref);
        if (status === "INACTIVE") await confirm(`Disable ${found.email} and end their sessions?`, opts.yes);
        return runAdminAction(deps, "update-user", { userId: found.id, status }, OPERATOR);
      },
      { mail: true },
    );
    out.result(changed, () =>
      out.line(`${ref}: ${status === "ACTIVE" ? "enabled" : `disabled, ${changed.revokedSessions} sessions ended`}`),
    );
  };
  user
    .command("disable")
    .description("make a user INACTIVE: they cannot sign in, their sessions end at once")
    .argument("<user>", "email or id")
    .option("--yes", "do not ask for confirmation")
    .action(setStatus("INACTIVE"));
  user
    .command("enable")
    .description("make a user ACTIVE again")
    .argument("<user>", "email or id")
    .action(setStatus("ACTIVE"));

  user
    .command("delete")
    .description("delete a user with their licenses and sessions (they are mailed a notice)")
    .argument("<user>", "email or id")
    .option("--yes", "do not ask for confirmation")
    .action(async (ref: string, opts: { yes?: boolean }, cmd: Command) => {
      const { out, run } = context(cmd);
      const deleted = await run(
        async (deps) => {
          const found = await findUserByRef(deps, ref);
          await confirm(`Delete ${found.email}, their licenses and sessions? This cannot be undone.`, opts.yes);
          return runAdminAction(deps, "delete-user", { userId: found.id }, OPERATOR);
        },
        { mail: true },
      );
      out.result(deleted, () => out.line(`deleted ${ref} (${deleted.revokedSessions} sessions ended)`));
    });

  user
    .command("reset-link")
    .description("print a one-time set-password link for the user (also mailed); older links stop working")
    .argument("<user>", "email or id")
    .action(async (ref: string, _opts, cmd: Command) => {
      const { out, run } = context(cmd);
      const made = await run(async (deps) => resetLink(deps, (await findUserByRef(deps, ref)).id, OPERATOR), {
        mail: true,
      });
      out.result(made, () => out.line(`set-password link, valid 30 minutes: ${made.link}`));
    });
};

async function showUser(deps: Deps, ref: string) {
  const found = await findUserByRef(deps, ref);
  const [detail, summary, events, names] = await Promise.all([
    getUserDetail(deps, found.id),
    seatSummary(deps, found.id),
    listAuditEvents(deps, { userId: found.id, limit: RECENT_EVENTS }),
    productNames(deps, found.id),
  ]);
  const named = <T extends { productId: string }>(row: T) => ({
    ...row,
    productName: names.get(row.productId) ?? null,
  });
  return {
    ...detail,
    licenses: summary.licenses.map(named),
    seats: summary.seats,
    products: seatsPerProduct(summary.licenses).map(named),
    events,
  };
}

/** Valid seats and seats in use, per product. */
function seatsPerProduct(licenses: Awaited<ReturnType<typeof seatSummary>>["licenses"]) {
  const products = new Map<string, { productId: string; used: number; total: number }>();
  for (const l of licenses) {
    const p = products.get(l.productId) ?? { productId: l.productId, used: l.seatsUsed, total: 0 };
    if (l.valid) p.total += l.seats;
    products.set(l.productId, p);
  }
  return [...products.values()];
}

function printUser(out: Output, u: Awaited<ReturnType<typeof showUser>>) {
  fields(out, [
    ["email", u.user.email],
    ["name", u.user.name],
    ["id", u.user.id],
    ["role", u.user.role],
    ["status", u.user.status === "ACTIVE" ? out.colors.green(u.user.status) : out.colors.red(u.user.status)],
    ["password", u.user.hasPassword ? "set" : "not set"],
    ["created", time(u.user.createdAt)],
    ["seats", `${u.seats.used} used of ${u.seats.total}`],
  ]);
  out.line(out.colors.bold("\nSeats per product"));
  out.table(u.products, [
    { header: "product", value: (p) => productLabel(p.productId, p.productName) },
    { header: "used", value: (p) => p.used },
    { header: "total", value: (p) => p.total },
  ]);
  out.line(out.colors.bold("\nLicenses"));
  out.table(u.licenses, [
    { header: "id", value: (l) => l.id },
    { header: "product", value: (l) => productLabel(l.productId, l.productName) },
    { header: "seats", value: (l) => l.seats },
    {
      header: "valid until",
      value: (l) => (l.valid ? time(l.validUntil) : out.colors.red(`${time(l.validUntil)} (ended)`)),
    },
  ]);
  out.line(out.colors.bold("\nLive sessions"));
  out.table(u.sessions, [
    { header: "id", value: (s) => s.id },
    { header: "kind", value: (s) => s.kind },
    {
      header: "seat",
      value: (s) => (s.seated ? (s.productId ?? "yes") : s.limited ? `limited (${s.limitedReason})` : "idle"),
    },
    { header: "device", value: (s) => s.userAgent },
    { header: "place", value: (s) => [s.city, s.region, s.country].filter(Boolean).join(", ") || s.ip },
    { header: "last used", value: (s) => time(s.lastUsedAt) },
  ]);
  out.line(out.colors.bold("\nRecent events"));
  out.table(u.events, auditColumns);
}
