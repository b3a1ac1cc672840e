// GET /health — liveness plus a database round trip.
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { answers } from "../docs/openapi";
import { Health } from "../docs/schemas";

export function healthRoutes(deps: Deps) {
  return new Elysia({ name: "health" }).get(
    "/health",
    async ({ set }) => {
      try {
        await deps.db.client.execute("SELECT 1");
        return { status: "ok", database: "ok" };
      } catch (error) {
        deps.log.error("health: database unreachable", { error: String(error) });
        set.status = 503;
        return { status: "error", database: "unreachable" };
      }
    },
    {
      detail: {
        summary: "Liveness and database reachability",
        tags: ["health"],
        responses: answers({ 200: Health, 503: Health }),
      },
    },
  );
}
