// webhooks list | create | revoke | rotate-secret · stats
import { type Command, Option } from "commander";
import { WEBHOOK_PROVIDERS, WEBHOOK_SCOPES, type WebhookProvider, type WebhookScope } from "../../../db/schema";
import { createWebhookAs, rotateWebhookSecret, runAdminAction } from "../../admin/operations";
import { stats } from "../../admin/stats";
import { listWebhooks } from "../../webhooks/tokens";
import { confirm } from "../confirm";
import { fields, time } from "../output";
import { OPERATOR, type Register } from "../program";

export const registerWebhooks: Register = (program, context) => {
  const webhooks = program.command("webhooks").description("the endpoints stores call");
  webhooks
    .command("list")
    .description("every webhook endpoint, newest first")
    .action(async (_opts, cmd: Command) => {
      const { out, run } = context(cmd);
      const list = await run((deps) => listWebhooks(deps));
      out.result(list, () =>
        out.table(list, [
          { header: "id", value: (w) => w.id },
          { header: "name", value: (w) => w.name },
          { header: "provider", value: (w) => w.provider },
          { header: "scope", value: (w) => (w.scope === "admin" ? out.colors.yellow(w.scope) : w.scope) },
          { header: "signed", value: (w) => (w.signed ? "yes" : "no") },
          { header: "created", value: (w) => time(w.createdAt) },
          { header: "last used", value: (w) => time(w.lastUsedAt) },
          { header: "revoked", value: (w) => (w.revokedAt === null ? "-" : out.colors.red(time(w.revokedAt))) },
        ]),
      );
    });
  webhooks
    .command("create")
    .description("a new webhook token for a store; printed this once")
    .argument("<name>")
    .option("--signing-secret <secret>", "require signatures with this secret (a store's: the one its dashboard shows)")
    .addOption(
      new Option("--provider <store>", "a store's own events instead of seatkey actions")
        .choices(WEBHOOK_PROVIDERS)
        .default("seatkey"),
    )
    .addOption(
      new Option("--scope <scope>", "admin: may also grant and change ADMIN users (seatkey actions only)")
        .choices(WEBHOOK_SCOPES)
        .default("store"),
    )
    .action(
      async (
        name: string,
        opts: { signingSecret?: string; provider: WebhookProvider; scope: WebhookScope },
        cmd: Command,
      ) => {
        const { out, run } = context(cmd);
        const input = { name, signingSecret: opts.signingSecret, provider: opts.provider, scope: opts.scope };
        const created = await run((deps) => createWebhookAs(deps, { ...input, createdBy: null }, OPERATOR));
        out.result(created, () => {
          fields(out, [
            ["id", created.id],
            ["provider", created.provider],
            ["scope", created.scope],
            ["url", created.url],
            ["token", created.token],
          ]);
          out.line(out.colors.yellow("The token is shown this once: give it to the store now."));
        });
      },
    );
  webhooks
    .command("revoke")
    .description("stop a webhook token working")
    .argument("<webhookId>")
    .option("--yes", "do not ask for confirmation")
    .action(async (id: string, opts: { yes?: boolean }, cmd: Command) => {
      const { out, run } = context(cmd);
      await confirm(`Revoke webhook ${id}? The store's calls will fail.`, opts.yes);
      const answer = await run((deps) => runAdminAction(deps, "revoke-webhook", { webhookId: id }, OPERATOR));
      out.result(answer, () => out.line(`revoked webhook ${id}`));
    });
  webhooks
    .command("rotate-secret")
    .description("a new signing secret (printed this once); deliveries signed with the old one are refused")
    .argument("<webhookId>")
    .option("--secret <secret>", "use this secret (e.g. the one the store's dashboard shows) instead of a random one")
    .option("--yes", "do not ask for confirmation")
    .action(async (id: string, opts: { secret?: string; yes?: boolean }, cmd: Command) => {
      const { out, run } = context(cmd);
      await confirm(`Replace the signing secret of webhook ${id}? The old one stops working at once.`, opts.yes);
      const answer = await run((deps) => rotateWebhookSecret(deps, id, opts.secret, OPERATOR));
      out.result(answer, () => out.line(`new signing secret (shown this once): ${answer.signingSecret}`));
    });

  program
    .command("stats")
    .description("users, active licenses, seats used / total per product, live sessions, logins per day")
    .action(async (_opts, cmd: Command) => {
      const { out, run } = context(cmd);
      const s = await run((deps) => stats(deps));
      out.result(s, () => {
        fields(out, [
          ["users", `${s.users.total} (${s.users.active} active)`],
          ["active licenses", s.activeLicenses],
          ["live sessions", s.liveSessions],
          ["refreshed today", s.sessionsRefreshedToday],
        ]);
        out.line(out.colors.bold("\nSeats per product"));
        out.table(s.seats, [
          { header: "product", value: (p) => p.productId },
          { header: "used", value: (p) => p.used },
          { header: "total", value: (p) => p.total },
        ]);
        out.line(out.colors.bold("\nLogins per day (UTC)"));
        out.table(s.days, [
          { header: "day", value: (d) => d.day },
          { header: "logins", value: (d) => d.logins },
          { header: "failed", value: (d) => d.failedLogins },
        ]);
      });
    });
};
