// JSON endpoints that set cookies (login, refresh, logout) against login CSRF: a cross-site HTML
// form can post `application/x-www-form-urlencoded` or `text/plain` without a CORS preflight and
// would plant the attacker's refresh cookie in the victim's browser. So such a request must carry
// its body as application/json (415 otherwise; a bodiless call is fine) and, when a browser says
// where it comes from, come from PUBLIC_URL's origin or one of CORS_ORIGINS (403 otherwise).
// Use: .use(cookieJson(deps)) then { cookieJson: true } on the route.
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { AppError, forbidden } from "../errors";
import { isCrossSite } from "./csrf";

export function cookieJson(deps: Deps) {
  return new Elysia({ name: "cookie-json" }).macro({
    cookieJson: (enabled: boolean) => ({
      // Parse runs first (a malformed multipart body would fail there): refuse the type before it.
      parse({ request }) {
        const type = request.headers.get("content-type");
        if (enabled && type !== null && !/^application\/json\s*(;|$)/i.test(type)) {
          throw new AppError(
            415,
            "unsupported_media_type",
            "Send the body as JSON with Content-Type: application/json",
          );
        }
      },
      // Transform runs for bodiless requests too, and before validation.
      transform({ request }) {
        if (enabled && isCrossSite(deps, request, deps.config.corsOrigins)) {
          throw forbidden("cross_origin", "This request came from another site's page, so it was refused");
        }
      },
    }),
  });
}
