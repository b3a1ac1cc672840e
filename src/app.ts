// createApp(deps): the whole HTTP surface, without listening. Tests call app.handle(request).
import { cors } from "@elysiajs/cors";
import { Elysia } from "elysia";
import { accountPages } from "./account/pages";
import { authRoutes } from "./auth/routes";
import type { Deps } from "./deps";
import { openapiDocument } from "./docs/openapi";
import { docsRoutes } from "./docs/routes";
import { AppError, fieldName } from "./errors";
import { healthRoutes } from "./health/routes";
import { jwksRoutes, jwksStaticRoutes } from "./keys/routes";
import { passwordPages } from "./passwords/pages";
import { passwordRoutes } from "./passwords/routes";
import { webPages } from "./web";
import { adminRoutes } from "./admin/routes";
import { adminWriteRoutes } from "./admin/write-routes";
import { compatRoutes } from "./compat/routes";
import { storeRoutes } from "./stores/routes";
import { webhookRoutes } from "./webhooks/routes";
import { eventRoutes } from "./events/routes";
import { introspectionRoutes } from "./introspection/routes";

const MAX_BODY_BYTES = 64 * 1024;

export function createApp(deps: Deps) {
  return new Elysia({ serve: { maxRequestBodySize: MAX_BODY_BYTES, routes: jwksStaticRoutes(deps) } })
    .onRequest(({ request, server, set }) => {
      // Refuse oversized bodies before parsing them (Content-Length is checked again by Bun).
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > MAX_BODY_BYTES) {
        return jsonError(413, "payload_too_large", `Request body is larger than ${MAX_BODY_BYTES} bytes`);
      }
      // A body that stalls mid-upload would hold the connection: cut it after BODY_IDLE_TIMEOUT of silence.
      if (request.body) server?.timeout(request, deps.config.bodyIdleTimeout);
      // API answers carry tokens and personal data: no browser or proxy may keep a copy.
      if (new URL(request.url).pathname.startsWith("/api/")) set.headers["cache-control"] = "no-store";
    })
    .use(webPages(deps)) // html(), assets, HTML error pages for page requests: before the JSON onError
    .onError(({ code, error, request }) => errorResponse(deps, code, error, request))
    .use(corsFor(deps.config.corsOrigins))
    .use(openapiDocument())
    .use(docsRoutes(deps))
    .use(healthRoutes(deps))
    .use(jwksRoutes(deps))
    .use(webhookRoutes(deps))
    .use(storeRoutes(deps))
    .use(adminRoutes(deps))
    .use(adminWriteRoutes(deps))
    .use(compatRoutes(deps))
    .use(eventRoutes(deps))
    .use(introspectionRoutes(deps))
    .use(passwordRoutes(deps))
    .use(passwordPages(deps))
    .use(accountPages(deps))
    .use(authRoutes(deps));
}

export type App = ReturnType<typeof createApp>;

/** Only the listed origins may call the API from a browser; with none listed, no CORS headers at all. */
function corsFor(origins: string[]) {
  if (origins.length === 0) return new Elysia({ name: "no-cors" });
  return cors({
    origin: origins,
    credentials: true,
    methods: ["GET", "POST", "PATCH", "DELETE"],
    allowedHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
    exposeHeaders: ["Retry-After"],
    maxAge: 600,
  });
}

export function jsonError(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  return new Response(JSON.stringify({ error: message, code, ...extra }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

/** Every error the app raises becomes { error, code } with the right status; no stack traces. */
function errorResponse(deps: Deps, code: string | number, thrown: unknown, request: Request): Response {
  // Elysia wraps what a parse hook throws (e.g. 415 from cookieJson) in its ParseError.
  const cause = code === "PARSE" && thrown instanceof Error ? thrown.cause : undefined;
  const error = cause instanceof AppError ? cause : thrown;
  if (error instanceof AppError) {
    return jsonError(error.status, error.code, error.message, error.field ? { field: error.field } : {}, error.headers);
  }
  switch (code) {
    case "VALIDATION": {
      const field = validationField(error);
      const message = field ? `Invalid or missing field: ${field}` : "Invalid request";
      return jsonError(400, "invalid_input", message, field ? { field } : {});
    }
    case "PARSE":
      return jsonError(
        400,
        "invalid_body",
        "Request body could not be parsed; send JSON with Content-Type: application/json",
      );
    case "NOT_FOUND": {
      const path = new URL(request.url).pathname;
      return jsonError(404, "not_found", `No route ${request.method} ${path}`);
    }
    case "INVALID_COOKIE_SIGNATURE":
      return jsonError(400, "invalid_cookie", "Invalid cookie");
  }
  const status =
    typeof (error as { status?: unknown })?.status === "number" ? (error as { status: number }).status : 500;
  if (status >= 400 && status < 500) return jsonError(status, "bad_request", "Bad request");
  const database = databaseCause(error);
  // A row it refers to went away meanwhile (e.g. its user was deleted): a conflict, not a crash.
  if (database?.code.startsWith("SQLITE_CONSTRAINT")) {
    return jsonError(409, "conflict", "Something this refers to was changed or removed meanwhile; reload and retry");
  }
  // Never String(error) of a query error: drizzle's message lists the SQL parameters (hashes, emails).
  const detail = database
    ? `${database.code}: ${database.message}`
    : error instanceof Error
      ? error.name
      : typeof error;
  deps.log.error("unhandled error", { path: new URL(request.url).pathname, error: detail });
  return jsonError(500, "internal_error", "Internal server error");
}

/** The libSQL error under a failed query (drizzle wraps it, with the SQL and its parameters, as `cause`). */
function databaseCause(error: unknown): { code: string; message: string } | undefined {
  const inner = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = inner instanceof Error ? (inner as { code?: unknown }).code : undefined;
  if (!(inner instanceof Error) || typeof code !== "string") return undefined;
  return { code, message: inner.message.split("\n")[0] ?? "" };
}

/** The first failing field of an Elysia/TypeBox validation error, as a dotted path. */
function validationField(error: unknown): string | undefined {
  const v = error as { valueError?: { path?: string }; all?: { path?: string }[] };
  const path = v.valueError?.path ?? v.all?.[0]?.path;
  if (!path) return undefined;
  return fieldName(path) || undefined;
}
