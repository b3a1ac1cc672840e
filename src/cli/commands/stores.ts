// map set | list | remove · store-events list | replay: a store endpoint's product map and the
// events its store sent, over the same use cases as /api/webhooks/:id/products and /events.
import type { Command } from "commander";
import { STORE_EVENT_STATUSES, type StoreEventStatus, type StoreProduct } from "../../../db/schema";
import { listStoreEvents, type EventView } from "../../stores/log";
import { listMappings, removeMapping, setMapping } from "../../stores/products";
import { replayStoreEvent } from "../../stores/service";
import { findStoreWebhook } from "../../webhooks/tokens";
import { confirm } from "../confirm";
import { CliError, EXIT } from "../exit";
import { fields, time, type Output } from "../output";
import { wholeNumber, type Register } from "../program";

const ENDPOINT_HELP = "the store endpoint's webhook id (bun run admin webhooks list)";

function printMappings(out: Output, rows: StoreProduct[]) {
  out.table(rows, [
    { header: "store id", value: (m) => m.externalId },
    { header: "product", value: (m) => (m.productName ? `${m.productName} (${m.productId})` : m.productId) },
    { header: "seats per unit", value: (m) => m.seatsPerUnit },
    { header: "term", value: (m) => (m.termDays === null ? "perpetual / subscription" : `${m.termDays} days`) },
  ]);
}

function printEvents(out: Output, rows: EventView[]) {
  out.table(rows, [
    { header: "id", value: (e) => e.id },
    { header: "type", value: (e) => e.type },
    { header: "status", value: (e) => (e.status === "applied" ? e.status : out.colors.yellow(e.status)) },
    { header: "received", value: (e) => time(e.receivedAt) },
    { header: "note", value: (e) => e.error ?? (e.waitingFor ? `waiting for ${e.waitingFor}` : null) },
  ]);
}

function eventStatus(value: string | undefined): StoreEventStatus | undefined {
  if (value === undefined) return undefined;
  if (!(STORE_EVENT_STATUSES as readonly string[]).includes(value)) {
    throw new CliError(`--status must be one of ${STORE_EVENT_STATUSES.join(", ")} (got "${value}")`, EXIT.usage);
  }
  return value as StoreEventStatus;
}

export const registerStores: Register = (program, context) => {
  const map = program.command("map").description("a store endpoint's product map: store id → product, seats, term");
  map
    .command("set")
    .description("map a store's price, variant or product id to a product (adds or replaces)")
    .argument("<webhookId>", ENDPOINT_HELP)
    .argument(
      "<storeId>",
      "the store's id: a Stripe price, a Lemon Squeezy variant, a Paddle price, a Gumroad product…",
    )
    .argument("<productId>", "the seatkey product it grants")
    .option("--seats-per-unit <n>", "seats for each unit bought", "1")
    .option("--term-days <n>", "one-time purchases: days the license lasts (default: perpetual)")
    .option("--name <productName>", "the display name the licenses it grants get (shown instead of the id)")
    .action(async (webhookId: string, storeId: string, productId: string, opts, cmd: Command) => {
      const { out, run } = context(cmd);
      const seatsPerUnit = wholeNumber(opts.seatsPerUnit, "--seats-per-unit");
      const termDays = opts.termDays === undefined ? null : wholeNumber(opts.termDays, "--term-days");
      const mapping = await run(async (deps) => {
        const webhook = await findStoreWebhook(deps, webhookId);
        const entry = { externalId: storeId, productId, productName: opts.name, seatsPerUnit, termDays };
        return setMapping(deps, { webhookId: webhook.id, ...entry });
      });
      out.result(mapping, () => printMappings(out, [mapping]));
    });
  map
    .command("list")
    .description("every entry of a store endpoint's product map")
    .argument("<webhookId>", ENDPOINT_HELP)
    .action(async (webhookId: string, _opts, cmd: Command) => {
      const { out, run } = context(cmd);
      const rows = await run(async (deps) => listMappings(deps, (await findStoreWebhook(deps, webhookId)).id));
      out.result(rows, () => printMappings(out, rows));
    });
  map
    .command("remove")
    .description("remove one entry; licenses it granted stay as they are")
    .argument("<webhookId>", ENDPOINT_HELP)
    .argument("<storeId>")
    .option("--yes", "do not ask for confirmation")
    .action(async (webhookId: string, storeId: string, opts: { yes?: boolean }, cmd: Command) => {
      const { out, run } = context(cmd);
      await confirm(`Remove the product map entry ${storeId}? New purchases of it will wait as unmapped.`, opts.yes);
      await run(async (deps) => removeMapping(deps, (await findStoreWebhook(deps, webhookId)).id, storeId));
      out.result({ removed: storeId }, () => out.line(`removed ${storeId}`));
    });

  const events = program.command("store-events").description("what a store sent, and what seatkey did with it");
  events
    .command("list")
    .description("a store endpoint's events, newest first")
    .argument("<webhookId>", ENDPOINT_HELP)
    .option("--status <status>", `only one status: ${STORE_EVENT_STATUSES.join(", ")}`)
    .option("--limit <n>", "at most this many", "50")
    .action(async (webhookId: string, opts: { status?: string; limit: string }, cmd: Command) => {
      const { out, run } = context(cmd);
      const status = eventStatus(opts.status);
      const limit = Math.min(wholeNumber(opts.limit, "--limit"), 500);
      const rows = await run(async (deps) =>
        listStoreEvents(deps, { webhookId: (await findStoreWebhook(deps, webhookId)).id, status, limit }),
      );
      out.result(rows, () => printEvents(out, rows));
    });
  events
    .command("replay")
    .description("apply a stored event again (after fixing the product map, say)")
    .argument("<webhookId>", ENDPOINT_HELP)
    .argument("<eventId>", "from store-events list")
    .action(async (webhookId: string, eventId: string, _opts, cmd: Command) => {
      const { out, run } = context(cmd);
      const event = await run((deps) => replayStoreEvent(deps, { webhookId, eventId }), { mail: true });
      out.result(event, () =>
        fields(out, [
          ["event", event.id],
          ["type", event.type],
          ["status", event.status],
          ["note", event.error ?? (event.waitingFor ? `waiting for ${event.waitingFor}` : null)],
        ]),
      );
    });
};
