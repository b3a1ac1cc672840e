// /api/admin/event-endpoints and /api/admin/event-deliveries — role ADMIN. Thin: validation here,
// the use cases in ./endpoints.ts and ./deliveries.ts.
import { Elysia, t } from "elysia";
import { bearerAuth } from "../auth/guard";
import type { Deps } from "../deps";
import { answers } from "../docs/openapi";
import { Delivery, EndpointSecret, EventEndpoint } from "../docs/schemas";
import { DELIVERY_STATUSES, listDeliveries, replayDelivery } from "./deliveries";
import {
  createEndpoint,
  DEFAULT_OVERLAP_S,
  deleteEndpoint,
  listEndpoints,
  MAX_OVERLAP_S,
  rotateEndpointSecret,
  updateEndpoint,
} from "./endpoints";
import { EVENT_TYPES } from "./types";

const Id = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) });
const EventTypes = t.Array(t.Union(EVENT_TYPES.map((type) => t.Literal(type))), { maxItems: EVENT_TYPES.length });
const Url = t.String({ minLength: 1, maxLength: 2000 });
const OptionalFields = {
  eventTypes: t.Optional(EventTypes),
  description: t.Optional(t.String({ maxLength: 500 })),
  enabled: t.Optional(t.Boolean()),
};
const tags = ["events"];

export function eventRoutes(deps: Deps) {
  return new Elysia({ name: "event-routes" })
    .use(bearerAuth(deps))
    .get("/api/admin/event-endpoints", async () => ({ endpoints: await listEndpoints(deps) }), {
      auth: "ADMIN",
      detail: {
        summary: "List event endpoints (never their secrets)",
        tags,
        responses: answers({ 200: t.Object({ endpoints: t.Array(EventEndpoint) }) }),
      },
    })
    .post(
      "/api/admin/event-endpoints",
      async ({ auth, body, set }) => {
        set.status = 201;
        return createEndpoint(deps, { ...body, createdBy: auth.sub });
      },
      {
        auth: "ADMIN",
        body: t.Object({ url: Url, ...OptionalFields }),
        detail: {
          summary: "Register an event endpoint; its whsec_ secret is shown once",
          tags,
          responses: answers({ 201: EndpointSecret }, 400),
        },
      },
    )
    .patch(
      "/api/admin/event-endpoints/:id",
      ({ auth, body, params }) => updateEndpoint(deps, params.id, body, `admin:${auth.sub}`),
      {
        auth: "ADMIN",
        params: Id,
        body: t.Object({ url: t.Optional(Url), ...OptionalFields }),
        detail: {
          summary: "Change an endpoint's URL, event filter or description; enable or disable it",
          tags,
          responses: answers({ 200: EventEndpoint }, 400, 404),
        },
      },
    )
    .delete(
      "/api/admin/event-endpoints/:id",
      async ({ auth, params, set }) => {
        await deleteEndpoint(deps, params.id, `admin:${auth.sub}`);
        set.status = 204;
      },
      {
        auth: "ADMIN",
        params: Id,
        detail: { summary: "Delete an endpoint and its deliveries", tags, responses: answers({ 204: null }, 400, 404) },
      },
    )
    .post(
      "/api/admin/event-endpoints/:id/rotate-secret",
      ({ auth, body, params }) =>
        rotateEndpointSecret(deps, params.id, body?.overlapSeconds ?? DEFAULT_OVERLAP_S, `admin:${auth.sub}`),
      {
        auth: "ADMIN",
        params: Id,
        body: t.Optional(t.Object({ overlapSeconds: t.Optional(t.Integer({ minimum: 0, maximum: MAX_OVERLAP_S })) })),
        detail: {
          summary: "New secret (shown once); the old one also signs during the overlap",
          tags,
          responses: answers({ 200: EndpointSecret }, 400, 404),
        },
      },
    )
    .get(
      "/api/admin/event-deliveries",
      async ({ query }) => ({
        deliveries: await listDeliveries(deps, { ...query, limit: query.limit ?? 50 }),
      }),
      {
        auth: "ADMIN",
        query: t.Object({
          endpointId: t.Optional(t.String({ maxLength: 64 })),
          status: t.Optional(t.Union(DELIVERY_STATUSES.map((s) => t.Literal(s)))),
          limit: t.Optional(t.Numeric({ minimum: 1, maximum: 500 })),
        }),
        detail: {
          summary: "Event deliveries, newest first",
          tags,
          responses: answers({ 200: t.Object({ deliveries: t.Array(Delivery) }) }, 400),
        },
      },
    )
    .post("/api/admin/event-deliveries/:id/replay", ({ params }) => replayDelivery(deps, params.id), {
      auth: "ADMIN",
      params: Id,
      detail: {
        summary: "Send a delivery again (same webhook-id, fresh retries)",
        tags,
        responses: answers({ 200: Delivery }, 400, 404),
      },
    });
}
