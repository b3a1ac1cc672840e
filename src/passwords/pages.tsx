// The server-rendered password pages: /reset-password (ask for a link) and /create-password
// (choose a password with it). Plain HTML forms; they work without JavaScript.
import { Elysia, t } from "elysia";
import { CreatePasswordForm, DeadLinkPage, PasswordSet } from "../../views/pages/create-password";
import { ResetPasswordForm, ResetPasswordSent } from "../../views/pages/reset-password";
import type { Deps } from "../deps";
import { clientIp } from "../web/client";
import { type CookieJar, csrfToken } from "../web/csrf";
import { formError, formText, type ResponseSet, siteName } from "../web/page";
import { pageSecurity } from "../web/security";
import { passwordLinkInfo, requestPasswordReset, setPasswordWithToken } from "./service";

// Generous: the policy (256 code points at most) answers with a clearer message than the schema.
const PASSWORD_FIELD = 2048;
const ResetForm = t.Object({ _csrf: formText(200), email: formText(1000) });
const CreateForm = t.Object({
  _csrf: formText(200),
  token: formText(512),
  password: formText(PASSWORD_FIELD),
  confirm: formText(PASSWORD_FIELD),
});
const TokenQuery = t.Object({ token: formText(512) });

type FormErrors = { password?: string; confirm?: string; form?: string };

export function passwordPages(deps: Deps) {
  const site = siteName(deps);
  const ip = (request: Request, server: Parameters<typeof clientIp>[1]) =>
    clientIp(request, server, deps.config.trustProxy);

  /** The form for a link (with errors), or a page saying why the link can't be used, with status 400. */
  async function createForm(cookie: CookieJar, set: ResponseSet, token: string, errors: FormErrors = {}) {
    const info = await passwordLinkInfo(deps, token);
    if ("dead" in info) {
      set.status = 400;
      return <DeadLinkPage site={site} reason={info.dead} />;
    }
    const csrf = csrfToken(deps, cookie);
    const minLength = deps.config.passwordMinLength;
    return <CreatePasswordForm site={site} csrf={csrf} token={token} {...info} minLength={minLength} errors={errors} />;
  }

  return new Elysia({ name: "password-pages" })
    .use(pageSecurity(deps))
    .get("/reset-password", ({ cookie }) => <ResetPasswordForm site={site} csrf={csrfToken(deps, cookie)} />)
    .post(
      "/reset-password",
      async ({ body, cookie, request, server, set }) => {
        const email = body.email?.trim() ?? "";
        try {
          await requestPasswordReset(deps, email, ip(request, server));
          return <ResetPasswordSent site={site} email={email} />;
        } catch (error) {
          const e = formError(error, set, ["invalid_email", "rate_limited"]);
          const fieldError = e.code === "invalid_email" ? "Enter an email address like name@example.com." : undefined;
          const form = e.code === "rate_limited" ? e.message : undefined;
          const csrf = csrfToken(deps, cookie);
          return <ResetPasswordForm site={site} csrf={csrf} email={email} emailError={fieldError} formError={form} />;
        }
      },
      { csrf: true, body: ResetForm },
    )
    .get("/create-password", ({ query, cookie, set }) => createForm(cookie, set, query.token ?? ""), {
      query: TokenQuery,
    })
    .get("/create-password/done", () => <PasswordSet site={site} />)
    .post(
      "/create-password",
      async ({ body, query, cookie, request, server, set, redirect }) => {
        const token = body.token ?? query.token ?? "";
        const input = { token, password: body.password ?? "", confirm: body.confirm ?? "" };
        try {
          await setPasswordWithToken(deps, input, ip(request, server));
          // POST → 303 → GET: reloading the answer does not send the form again.
          return redirect("/create-password/done", 303);
        } catch (error) {
          const e = formError(error, set, ["weak_password", "password_mismatch", "rate_limited", "invalid_token"]);
          if (e.code === "invalid_token") return createForm(cookie, set, token);
          const field = e.code === "rate_limited" ? "form" : (e.field ?? "form");
          return createForm(cookie, set, input.token, { [field]: e.message });
        }
      },
      { csrf: true, body: CreateForm, query: TokenQuery },
    );
}
