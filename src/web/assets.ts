// The pages' static files (views/assets.ts): stylesheet and icon, served by the app itself.
import { Elysia } from "elysia";
import { ASSETS, type Asset } from "../../views/assets";

function serve(asset: Asset, request: Request): Response {
  // The hashed URL never changes content: cache it for a year. Anything else: briefly.
  const versioned = new URL(request.url).search === asset.url.slice(asset.path.length);
  const headers = {
    "content-type": asset.contentType,
    "cache-control": versioned ? "public, max-age=31536000, immutable" : "public, max-age=300",
    etag: asset.etag,
    "x-content-type-options": "nosniff",
  };
  if (request.headers.get("if-none-match") === asset.etag) return new Response(null, { status: 304, headers });
  return new Response(asset.body, { headers });
}

export function assetRoutes() {
  const app = new Elysia({ name: "asset-routes" });
  for (const asset of ASSETS) app.get(asset.path, ({ request }) => serve(asset, request));
  return app;
}
