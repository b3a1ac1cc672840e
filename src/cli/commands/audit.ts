// audit [--user] [--event] [--since] [--follow]
import type { Command } from "commander";
import { setTimeout as sleep } from "node:timers/promises";
import { listAuditEvents, type AuditEntry, type AuditQuery } from "../../audit/audit";
import type { Deps } from "../../deps";
import { CliError, EXIT } from "../exit";
import { show, time, type Column } from "../output";
import { findUserByRef, wholeNumber, type Register } from "../program";

const FOLLOW_EVERY_MS = 1000;

export const auditColumns: Column<AuditEntry>[] = [
  { header: "time", value: (e) => time(e.at) },
  { header: "event", value: (e) => e.event },
  { header: "user", value: (e) => e.userId },
  { header: "actor", value: (e) => e.actor },
  { header: "ip", value: (e) => e.ip },
  { header: "detail", value: (e) => (e.detail ? JSON.stringify(e.detail) : null) },
];

/** "2031-01-31", an ISO date-time, or a span back from now: 30m, 24h, 7d. */
export function parseSince(value: string, now: number): number {
  const span = /^(\d{1,6})([mhd])$/.exec(value);
  if (span) return now - Number(span[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[span[2] as "m" | "h" | "d"];
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new CliError(`--since must be a date like 2031-01-31 or a span like 24h or 7d (got "${value}")`, EXIT.usage);
  return ms;
}

export const registerAudit: Register = (program, context) => {
  program
    .command("audit")
    .description("the audit log, newest first")
    .option("--user <user>", "only this user's events (email or id)")
    .option("--event <event>", 'only this event, or a family: "login" is login.failed and login.succeeded')
    .option("--since <when>", "from this date (2031-01-31) or span back (30m, 24h, 7d)")
    .option("--limit <n>", "at most this many", "50")
    .option("--follow", "then keep printing new events as they come (Ctrl-C stops)")
    .action(
      async (
        opts: { user?: string; event?: string; since?: string; limit: string; follow?: boolean },
        cmd: Command,
      ) => {
        const { out, run } = context(cmd);
        const limit = wholeNumber(opts.limit, "--limit");
        await run(async (deps) => {
          const query: AuditQuery = {
            userId: opts.user === undefined ? undefined : (await findUserByRef(deps, opts.user)).id,
            event: opts.event,
            since: opts.since === undefined ? undefined : parseSince(opts.since, deps.clock.now()),
            limit,
          };
          const events = await listAuditEvents(deps, query);
          if (!opts.follow) return out.result(events, () => out.table(events, auditColumns));
          await follow(deps, query, events.reverse(), (e) => printEvent(out.json, e));
        });
      },
    );
};

function printEvent(json: boolean, e: AuditEntry) {
  if (json) console.log(JSON.stringify(e));
  else console.log(auditColumns.map((c) => show(c.value(e))).join("  "));
}

/** Prints `first` (oldest first), then polls for newer events until the process is stopped. */
async function follow(
  deps: Deps,
  query: AuditQuery,
  first: AuditEntry[],
  print: (e: AuditEntry) => void,
): Promise<never> {
  let last: AuditEntry | undefined;
  for (const e of first) print((last = e));
  for (;;) {
    const after = last ? { at: last.at, id: last.id } : { at: query.since ?? deps.clock.now(), id: "" };
    for (const e of await listAuditEvents(deps, { ...query, since: undefined, after, limit: 500 })) print((last = e));
    await sleep(FOLLOW_EVERY_MS);
  }
}
