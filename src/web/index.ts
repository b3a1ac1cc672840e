// The web-page foundation, one .use() in createApp *before* the root JSON onError: the html
// plugin (JSX views), HTML error pages for page requests, and the static assets.
// Page controllers then .use(pageSecurity(deps)) (./security.ts).
import { html } from "@elysiajs/html";
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { assetRoutes } from "./assets";
import { pageErrors } from "./errors";
import { HTML_CONTENT_TYPE } from "./page";

export function webPages(deps: Deps) {
  return (
    new Elysia({ name: "web-pages" })
      .use(html({ contentType: HTML_CONTENT_TYPE }))
      .use(pageErrors(deps))
      .use(assetRoutes())
      // A browser opening the server's address lands on the account page (which sends the signed-out to /login).
      .get("/", ({ redirect }) => redirect("/account", 303), { detail: { hide: true } })
  );
}
