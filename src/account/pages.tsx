// The account pages: /login, /account, /account/password, /logout. Server-rendered forms that work
// without JavaScript; every post carries a CSRF token and is Origin-checked (pageSecurity).
import { Elysia, t } from "elysia";
import type { User } from "../../db/schema";
import { AccountPage, ChangePasswordPage, SignOutOthersPage } from "../../views/pages/account";
import { LoginForm, SignOutPage } from "../../views/pages/login";
import type { Deps } from "../deps";
import { FieldErrors } from "../errors";
import { logOut, revokeOtherSessions, revokeOwnSession, revokeSession } from "../sessions/revoke";
import { findSessionByToken, touchSession } from "../sessions/service";
import { clientInfo } from "../web/client";
import { type CookieJar, csrfToken } from "../web/csrf";
import { formError, formText, isHttps, siteName } from "../web/page";
import { pageSecurity } from "../web/security";
import { changePassword } from "./password";
import { accountOverview, deviceName, signInToAccount } from "./service";

// Passwords up to 1024 characters: the policy (256 code points at most) answers longer ones.
const PASSWORD_FIELD = 1024;
const LoginBody = t.Object({ _csrf: formText(200), email: formText(320), password: formText(PASSWORD_FIELD) });
const PasswordBody = t.Object({
  _csrf: formText(200),
  current: formText(PASSWORD_FIELD),
  password: formText(PASSWORD_FIELD),
  confirm: formText(PASSWORD_FIELD),
  signOutOthers: formText(10),
});

const NOTICES: Record<string, string> = {
  revoked: "That device was signed out. It has to sign in again to use your account.",
  "not-found": "That device was already signed out, or it is not one of yours. Nothing was changed.",
  others: "Every other device was signed out. They have to sign in again to use your account.",
  password: "Your password was changed.",
  "signed-out": "You are signed out of your account page.",
};

export function accountPages(deps: Deps) {
  const site = siteName(deps);
  const cookieName = isHttps(deps) ? "__Host-seatkey-account" : "seatkey-account";
  const client = (request: Request, server: Parameters<typeof clientInfo>[1]) =>
    clientInfo(request, server, deps.config.trustProxy);
  const notice = (key: string | undefined) => (key ? NOTICES[key] : undefined);

  const setSessionCookie = (cookie: CookieJar, value: string, maxAge: number) =>
    cookie[cookieName]?.set({ value, httpOnly: true, sameSite: "lax", path: "/", secure: isHttps(deps), maxAge });

  async function currentAccount(cookie: CookieJar) {
    const value = cookie[cookieName]?.value;
    const found = await findSessionByToken(deps, typeof value === "string" ? value : undefined, "account");
    if (!found) return undefined;
    // A browser left signed in (a shared computer) ends after ACCOUNT_IDLE_TIMEOUT without use.
    if (deps.clock.now() - found.session.lastUsedAt > deps.config.accountIdleTimeout * 1000) {
      await revokeSession(deps, found.session.id, { reason: "idle_timeout", actor: "system" });
      return undefined;
    }
    await touchSession(deps, found.session);
    return found;
  }

  return new Elysia({ name: "account-pages" })
    .use(pageSecurity(deps))
    .macro({
      // Pages that need a signed-in user: the account and its session id, or a redirect to /login.
      signedIn: (enabled: boolean) => ({
        async resolve({ cookie, set, status }) {
          const found = enabled ? await currentAccount(cookie as CookieJar) : undefined;
          if (!found) {
            set.headers.location = "/login";
            return status(303, "Sign in first: /login");
          }
          return { user: found.user as User, sessionId: found.session.id };
        },
      }),
    })
    .get(
      "/login",
      async ({ cookie, query, redirect }) => {
        if (await currentAccount(cookie as CookieJar)) return redirect("/account", 303);
        return <LoginForm site={site} csrf={csrfToken(deps, cookie as CookieJar)} notice={notice(query.done)} />;
      },
      { query: t.Object({ done: formText(20) }) },
    )
    .post(
      "/login",
      async ({ body, cookie, request, server, set, redirect }) => {
        const jar = cookie as CookieJar;
        const email = body.email?.trim() ?? "";
        try {
          const previous = await currentAccount(jar);
          const { token } = await signInToAccount(
            deps,
            { email, password: body.password ?? "", previousSessionId: previous?.session.id },
            client(request, server),
          );
          setSessionCookie(jar, token, deps.config.sessionTtl);
          return redirect("/account", 303);
        } catch (error) {
          const { message } = formError(error, set);
          return <LoginForm site={site} csrf={csrfToken(deps, jar)} email={email} error={message} />;
        }
      },
      { csrf: true, body: LoginBody },
    )
    .get(
      "/account",
      async ({ user, sessionId, cookie, query }) => {
        const overview = await accountOverview(deps, user, sessionId);
        const csrf = csrfToken(deps, cookie as CookieJar);
        const device = query.done === "revoked" && query.session && (await deviceName(deps, user.id, query.session));
        const text = device ? `${device} was signed out. It has to sign in again to use your account.` : undefined;
        return <AccountPage site={site} csrf={csrf} overview={overview} notice={text ?? notice(query.done)} />;
      },
      { signedIn: true, query: t.Object({ done: formText(20), session: formText(64) }) },
    )
    .post(
      "/account/sessions/:id/revoke",
      async ({ user, sessionId, params, cookie, request, server, redirect }) => {
        const revoked = await revokeOwnSession(deps, user, params.id, client(request, server));
        if (!revoked) return redirect("/account?done=not-found", 303);
        if (params.id === sessionId) {
          setSessionCookie(cookie as CookieJar, "", 0);
          return redirect("/login?done=signed-out", 303);
        }
        return redirect(`/account?done=revoked&session=${encodeURIComponent(params.id)}`, 303);
      },
      {
        signedIn: true,
        csrf: true,
        params: t.Object({ id: t.String({ maxLength: 64 }) }),
        body: t.Object({ _csrf: formText(200) }),
      },
    )
    .get(
      "/account/sessions/revoke-others",
      async ({ user, sessionId, cookie }) => {
        const { sessions } = await accountOverview(deps, user, sessionId);
        const others = sessions.filter((s) => !s.current);
        return <SignOutOthersPage site={site} csrf={csrfToken(deps, cookie as CookieJar)} others={others} />;
      },
      { signedIn: true },
    )
    .post(
      "/account/sessions/revoke-others",
      async ({ user, sessionId, request, server, redirect }) => {
        await revokeOtherSessions(deps, user, sessionId, client(request, server));
        return redirect("/account?done=others", 303);
      },
      { signedIn: true, csrf: true, body: t.Object({ _csrf: formText(200) }) },
    )
    .get(
      "/account/password",
      ({ user, cookie }) => (
        <ChangePasswordPage
          site={site}
          csrf={csrfToken(deps, cookie as CookieJar)}
          email={user.email}
          minLength={deps.config.passwordMinLength}
          signOutOthers
        />
      ),
      { signedIn: true },
    )
    .post(
      "/account/password",
      async ({ user, sessionId, body, cookie, request, server, set, redirect }) => {
        const signOutOthers = body.signOutOthers === "on";
        try {
          await changePassword(deps, {
            user,
            sessionId,
            current: body.current ?? "",
            password: body.password ?? "",
            confirm: body.confirm ?? "",
            signOutOthers,
            client: client(request, server),
          });
          return redirect("/account?done=password", 303);
        } catch (error) {
          const e = formError(error, set);
          const errors = e instanceof FieldErrors ? e.fields : { form: e.message };
          return (
            <ChangePasswordPage
              site={site}
              csrf={csrfToken(deps, cookie as CookieJar)}
              email={user.email}
              minLength={deps.config.passwordMinLength}
              signOutOthers={signOutOthers}
              errors={errors}
            />
          );
        }
      },
      { signedIn: true, csrf: true, body: PasswordBody },
    )
    .get("/logout", ({ cookie }) => <SignOutPage site={site} csrf={csrfToken(deps, cookie as CookieJar)} />)
    .post(
      "/logout",
      async ({ cookie, redirect }) => {
        const jar = cookie as CookieJar;
        const found = await currentAccount(jar);
        if (found) await logOut(deps, found.session);
        setSessionCookie(jar, "", 0);
        return redirect("/login?done=signed-out", 303);
      },
      { csrf: true, body: t.Object({ _csrf: formText(200) }) },
    );
}
