// seatkey/verify/elysia: an Elysia plugin with a `seatkey` macro.
//   new Elysia().use(seatkeyPlugin(verifier))
//     .get("/me", ({ seatkey }) => seatkey.sub, { seatkey: true })       any valid token (limited too)
//     .get("/pro", ({ seatkey }) => …, { seatkey: "pro" })               a seat of product "pro"
// Refusals answer seatkey's JSON error body: 401 (token) or 403 (seat).
import { Elysia } from "elysia";
import { VerifyError } from "./errors.js";
import type { SeatkeyClaims, Verifier } from "./index.js";

export function seatkeyPlugin(verifier: Verifier) {
  return new Elysia().macro({
    seatkey: (product: true | string) => ({
      async resolve({ headers, status }) {
        try {
          const claims: SeatkeyClaims = await verifier.verifyAuthorization(
            headers.authorization,
            product === true ? undefined : product,
          );
          return { seatkey: claims };
        } catch (error) {
          if (error instanceof VerifyError) return status(error.status as 401 | 403 | 503, error.toJSON());
          throw error;
        }
      },
    }),
  });
}
