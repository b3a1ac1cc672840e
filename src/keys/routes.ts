// GET /.well-known/jwks.json — the public keys, serialized once at start.
import { Elysia } from "elysia";
import type { Deps } from "../deps";

export function jwksRoutes(deps: Deps) {
  const body = deps.keys.jwksJson;
  return new Elysia({ name: "jwks" }).get(
    "/.well-known/jwks.json",
    () =>
      new Response(body, {
        headers: {
          "content-type": "application/jwk-set+json",
          // Resource servers may cache it; a rotated key is published before it signs.
          "cache-control": "public, max-age=300",
          "access-control-allow-origin": "*",
        },
      }),
    { detail: { summary: "Public signing keys (JWKS)", tags: ["keys"] } },
  );
}
