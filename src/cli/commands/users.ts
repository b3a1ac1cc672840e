// users find · user show | create | disable | enable | delete | reset-link
import type { Command } from "commander";
import { getUserDetail, listUsers } from "../../admin/service";
import { listAuditEvents } from "../../audit/audit";
import type { Deps } from "../../deps";
import { seatSummary } from "../../seats/summary";
import { fields, time, type Output } from "../output";
import { findUserByRef, type Register } from "../program";
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
};

async function showUser(deps: Deps, ref: string) {
  const found = await findUserByRef(deps, ref);
  const [detail, summary, events] = await Promise.all([
    getUserDetail(deps, found.id),
    seatSummary(deps, found.id),
    listAuditEvents(deps, { userId: found.id, limit: RECENT_EVENTS }),
  ]);
  return {
    ...detail,
    licenses: summary.licenses,
    seats: summary.seats,
    products: seatsPerProduct(summary.licenses),
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
    { header: "product", value: (p) => p.productId },
    { header: "used", value: (p) => p.used },
    { header: "total", value: (p) => p.total },
  ]);
  out.line(out.colors.bold("\nLicenses"));
  out.table(u.licenses, [
    { header: "id", value: (l) => l.id },
    { header: "product", value: (l) => l.productId },
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
