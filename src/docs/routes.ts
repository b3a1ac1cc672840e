// The API reference page (/openapi): Swagger UI from the pinned `swagger-ui-dist` package, served by
// seatkey itself — no CDN, no third-party script on the auth origin — under a strict CSP, with
// "Try it out" requests sent without cookies, so nothing on the page can use the refresh cookie.
// Off by default in production (OPENAPI_UI=true turns it on); /openapi/json is always served.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Elysia } from "elysia";
import { ICON } from "../../views/assets";
import type { Deps } from "../deps";

const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>seatkey API reference</title>
    <link rel="stylesheet" href="/openapi/assets/swagger-ui.css" />
    <link rel="icon" href="${ICON.url}" type="image/svg+xml" />
  </head>
  <body>
    <main id="ui"></main>
    <script src="/openapi/assets/swagger-ui-bundle.js"></script>
    <script src="/openapi/assets/docs.js"></script>
  </body>
</html>`;

// Runs in the page (a file, not inline, so the CSP needs no 'unsafe-inline' for scripts).
const INIT = `SwaggerUIBundle({
  url: "/openapi/json",
  dom_id: "#ui",
  requestInterceptor: (request) => Object.assign(request, { credentials: "omit" }),
});
`;

const dist = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const read = (file: string) => readFileSync(join(dist, file), "utf8");

export function docsRoutes(deps: Pick<Deps, "config">) {
  const app = new Elysia({ name: "api-docs" });
  if (!deps.config.openapiUi) return app;
  const assets: Record<string, { body: string; type: string }> = {
    "swagger-ui.css": { body: read("swagger-ui.css"), type: "text/css; charset=utf-8" },
    "swagger-ui-bundle.js": { body: read("swagger-ui-bundle.js"), type: "text/javascript; charset=utf-8" },
    "docs.js": { body: INIT, type: "text/javascript; charset=utf-8" },
  };
  const headers = { "content-security-policy": DOCS_CSP, "x-content-type-options": "nosniff" };
  return app
    .get(
      "/openapi",
      () => new Response(PAGE, { headers: { ...headers, "content-type": "text/html; charset=utf-8" } }),
      { detail: { hide: true } },
    )
    .get(
      "/openapi/assets/:file",
      ({ params, status }) => {
        const asset = assets[params.file];
        if (!asset) return status(404, "No such file");
        return new Response(asset.body, {
          headers: { ...headers, "content-type": asset.type, "cache-control": "public, max-age=3600" },
        });
      },
      { detail: { hide: true } },
    );
}
