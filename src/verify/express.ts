// seatkey/verify/express: middleware for Express, Connect or a plain node:http handler. It needs
// nothing from Express (only Node's request/response basics), so Express stays the app's choice.
//   app.get("/api/pro", seatkeyExpress(verifier, { product: "pro" }), (req, res) => {
//     res.json({ user: claimsOf(req).sub });
//   });
// Refusals answer seatkey's JSON error body: 401 (token) or 403 (seat).
import { VerifyError } from "./errors.js";
import type { SeatkeyClaims, Verifier } from "./index.js";

export interface SeatkeyRequest {
  headers: { authorization?: string | undefined };
  seatkey?: SeatkeyClaims;
}

interface ResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
}

/** Without `product`, any valid token passes (limited sessions too); with it, only a seat of it. */
export function seatkeyExpress(verifier: Verifier, options: { product?: string } = {}) {
  return (req: SeatkeyRequest, res: ResponseLike, next: (error?: unknown) => void): void => {
    verifier.verifyAuthorization(req.headers.authorization, options.product).then(
      (claims) => {
        req.seatkey = claims;
        next();
      },
      (error: unknown) => {
        if (!(error instanceof VerifyError)) return next(error);
        res.statusCode = error.status;
        res.setHeader("content-type", "application/json; charset=utf-8");
        res.end(JSON.stringify(error.toJSON()));
      },
    );
  };
}

/** The verified claims a seatkeyExpress middleware put on the request. */
export function claimsOf(req: object): SeatkeyClaims {
  const claims = (req as SeatkeyRequest).seatkey;
  if (!claims) throw new Error("seatkeyExpress did not run before this handler");
  return claims;
}
