// GET /.well-known/jwks.json — the public keys, serialized once at start. A listening server
// answers it natively from Bun's static routes (`jwksStaticRoutes`: no JavaScript per request,
// the same bytes and headers); the Elysia route answers `app.handle` and anything routed there.
import { Elysia } from "elysia";
import type { Deps } from "../deps";

const JWKS_PATH = "/.well-known/jwks.json";

function jwksResponse(deps: Deps): Response {
  return new Response(deps.keys.jwksJson, {
    headers: {
      "content-type": "application/jwk-set+json",
      // Resource servers may cache it; a rotated key is published before it signs.
      "cache-control": "public, max-age=300",
      "access-control-allow-origin": "*",
    },
  });
}

/** For `serve.routes`: Bun serves these without calling into the app. */
export function jwksStaticRoutes(deps: Deps) {
  return { [JWKS_PATH]: { GET: jwksResponse(deps) } };
}

export function jwksRoutes(deps: Deps) {
  return new Elysia({ name: "jwks" }).get(JWKS_PATH, () => jwksResponse(deps), {
    detail: { hide: true }, // declared in ../docs/openapi.ts, with the static route Bun serves
  });
}
