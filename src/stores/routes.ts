// Admin API of store endpoints: the product map and the store-event log (with re-apply).
import { Elysia, t } from "elysia";
import { STORE_EVENT_STATUSES } from "../../db/schema";
import { bearerAuth } from "../auth/guard";
import type { Deps } from "../deps";
import { answers } from "../docs/openapi";
import { ProductMapping, StoreEvent } from "../docs/schemas";
import { findStoreWebhook } from "../webhooks/tokens";
import { listStoreEvents } from "./log";
import { listMappings, MAX_SEATS_PER_UNIT, MAX_TERM_DAYS, removeMapping, setMapping } from "./products";
import { replayStoreEvent } from "./service";

const Params = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) });
const MappingParams = t.Object({
  id: t.String({ minLength: 1, maxLength: 64 }),
  externalId: t.String({ minLength: 1, maxLength: 200 }),
});
const EventParams = t.Object({
  id: t.String({ minLength: 1, maxLength: 64 }),
  eventId: t.String({ minLength: 1, maxLength: 64 }),
});
const MappingBody = t.Object(
  {
    productId: t.String({ minLength: 1, maxLength: 200, pattern: "\\S" }),
    seatsPerUnit: t.Optional(t.Integer({ minimum: 1, maximum: MAX_SEATS_PER_UNIT })),
    termDays: t.Optional(t.Union([t.Integer({ minimum: 1, maximum: MAX_TERM_DAYS }), t.Null()])),
  },
  { additionalProperties: false },
);
const tags = ["stores"];

export function storeRoutes(deps: Deps) {
  return new Elysia({ name: "stores" })
    .use(bearerAuth(deps))
    .get(
      "/api/webhooks/:id/products",
      async ({ params }) => ({ products: await listMappings(deps, (await findStoreWebhook(deps, params.id)).id) }),
      {
        auth: "ADMIN",
        params: Params,
        detail: {
          summary: "A store endpoint's product map",
          tags,
          responses: answers({ 200: t.Object({ products: t.Array(ProductMapping) }) }, 400, 404),
        },
      },
    )
    .put(
      "/api/webhooks/:id/products/:externalId",
      async ({ params, body }) => {
        const webhook = await findStoreWebhook(deps, params.id);
        return { product: await setMapping(deps, { webhookId: webhook.id, externalId: params.externalId, ...body }) };
      },
      {
        auth: "ADMIN",
        params: MappingParams,
        body: MappingBody,
        detail: {
          summary: "Map a store id to a product",
          tags,
          responses: answers({ 200: t.Object({ product: ProductMapping }) }, 400, 404),
        },
      },
    )
    .delete(
      "/api/webhooks/:id/products/:externalId",
      async ({ params, set }) => {
        await removeMapping(deps, (await findStoreWebhook(deps, params.id)).id, params.externalId);
        set.status = 204;
      },
      {
        auth: "ADMIN",
        params: MappingParams,
        detail: { summary: "Remove a product map entry", tags, responses: answers({ 204: null }, 400, 404) },
      },
    )
    .get(
      "/api/webhooks/:id/events",
      async ({ params, query }) => {
        const webhook = await findStoreWebhook(deps, params.id);
        return {
          events: await listStoreEvents(deps, { webhookId: webhook.id, status: query.status, limit: query.limit }),
        };
      },
      {
        auth: "ADMIN",
        params: Params,
        query: t.Object({
          status: t.Optional(t.UnionEnum(STORE_EVENT_STATUSES)),
          limit: t.Optional(t.Integer({ minimum: 1, maximum: 500 })),
        }),
        detail: {
          summary: "A store endpoint's events, newest first",
          tags,
          responses: answers({ 200: t.Object({ events: t.Array(StoreEvent) }) }, 400, 404),
        },
      },
    )
    .post(
      "/api/webhooks/:id/events/:eventId/replay",
      async ({ params }) => ({
        event: await replayStoreEvent(deps, { webhookId: params.id, eventId: params.eventId }),
      }),
      {
        auth: "ADMIN",
        params: EventParams,
        detail: {
          summary: "Apply a stored store event again",
          tags,
          responses: answers({ 200: t.Object({ event: StoreEvent }) }, 400, 404),
        },
      },
    );
}
