// The named plugin every page controller uses: .use(pageSecurity(deps)), then { csrf: true } on
// each form post. It marks the controller's requests as page requests (HTML error pages), adds
// the page security headers, and checks Origin + CSRF token before a post's handler runs.
// In a GET handler, put csrfToken(deps, cookie) into the form (<CsrfInput token=… />).
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { assertCsrf, type CookieJar } from "./csrf";
import { markPageRequest, PAGE_HEADERS } from "./page";

export function pageSecurity(deps: Deps) {
  return new Elysia({ name: "page-security" })
    .onTransform({ as: "scoped" }, ({ request }) => {
      // Transform runs before validation, so even a malformed form gets an HTML error page.
      markPageRequest(request);
    })
    .onAfterHandle({ as: "scoped" }, ({ set }) => {
      Object.assign(set.headers, PAGE_HEADERS);
    })
    .macro({
      csrf: (enabled: boolean) => ({
        beforeHandle({ request, cookie, body }) {
          if (enabled) assertCsrf(deps, request, cookie as CookieJar, body);
        },
      }),
    });
}
