// seatkey/verify/hono: Hono middleware. Hono is only a type here: this file never imports it.
//   app.use("/api/*", seatkeyMiddleware(verifier, { product: "pro" }));
//   app.get("/api/me", (c) => c.json({ user: c.get("seatkey").sub }));
// Refusals answer seatkey's JSON error body: 401 (token) or 403 (seat).
import type { MiddlewareHandler } from "hono";
import { VerifyError } from "./errors.js";
import type { SeatkeyClaims, Verifier } from "./index.js";

export type SeatkeyHonoEnv = { Variables: { seatkey: SeatkeyClaims } };

/** Without `product`, any valid token passes (limited sessions too); with it, only a seat of it. */
export function seatkeyMiddleware(
  verifier: Verifier,
  options: { product?: string } = {},
): MiddlewareHandler<SeatkeyHonoEnv> {
  return async (c, next) => {
    try {
      c.set("seatkey", await verifier.verifyAuthorization(c.req.header("authorization"), options.product));
    } catch (error) {
      if (error instanceof VerifyError) return c.json(error.toJSON(), error.status as 401 | 403 | 503);
      throw error;
    }
    await next();
  };
}
