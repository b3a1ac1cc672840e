// /api/auth/reset-password and /api/auth/create-password: the JSON side of the email-link flow.
import { Elysia, t } from "elysia";
import type { Deps } from "../deps";
import { ErrorBody as ErrorSchema } from "../docs/openapi";
import { clientIp } from "../web/client";
import { requestPasswordReset, setPasswordWithToken } from "./service";

const Success = t.Object({ success: t.Literal(true) });

export function passwordRoutes(deps: Deps) {
  return new Elysia({ name: "password-routes" })
    .post(
      "/api/auth/reset-password",
      async ({ body, request, server }) => {
        await requestPasswordReset(deps, body.email, clientIp(request, server, deps.config.trustProxy));
        return { success: true as const };
      },
      {
        body: t.Object({ email: t.String({ minLength: 1, maxLength: 320 }) }),
        response: { 200: Success, 400: ErrorSchema, 429: ErrorSchema },
        detail: {
          summary: "Mail a one-time link to set a new password (same answer whether or not the account exists)",
          tags: ["passwords"],
        },
      },
    )
    .post(
      "/api/auth/create-password",
      async ({ body, request, server }) => {
        await setPasswordWithToken(deps, body, clientIp(request, server, deps.config.trustProxy));
        return { success: true as const };
      },
      {
        body: t.Object({
          token: t.String({ minLength: 1, maxLength: 512 }),
          // Generous: the policy (max 256 code points) answers with a clearer message than the schema.
          password: t.String({ maxLength: 2048 }),
          confirm: t.String({ maxLength: 2048 }),
        }),
        response: { 200: Success, 400: ErrorSchema, 401: ErrorSchema, 429: ErrorSchema },
        detail: {
          summary: "Set a password with the emailed token; ends every session and mails a notice",
          tags: ["passwords"],
        },
      },
    );
}
