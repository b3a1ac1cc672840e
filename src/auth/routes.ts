// /api/auth: login, refresh (rotation), logout, me, own sessions.
import { Elysia, t, type Cookie } from "elysia";
import type { Deps } from "../deps";
import { notFound, unauthorized } from "../errors";
import { revokeOwnSession } from "../sessions/revoke";
import { logoutSession } from "../sessions/refresh";
import { listLiveSessions, toSessionView } from "../sessions/view";
import { clientInfo } from "../web/client";
import { cookieJson } from "../web/cookie-json";
import { isHttps } from "../web/page";
import { bearerAuth } from "./guard";
import { describeMe } from "./me";
import { answers } from "../docs/openapi";
import { Me, Sessions } from "../docs/schemas";
import { AuthAnswerSchema, ErrorSchema, type AuthResult } from "./model";
import { login, refresh } from "./service";

/** What login and refresh answer: new tokens, or an error. */
const TOKEN_ANSWERS = {
  200: AuthAnswerSchema,
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  415: ErrorSchema,
  429: ErrorSchema,
};

// On https the refresh cookie is `__Secure-refreshToken`: browsers take a __Secure- cookie only from
// an https response, so a plain-http page on the same host cannot plant one. Only that name is read
// there; an old unprefixed `refreshToken` cookie is ignored and cleared (README "Tokens").
const LEGACY_REFRESH_COOKIE = "refreshToken";

// cookieOnly: the refresh token stays in the HttpOnly cookie and is left out of the JSON answer,
// so script in the page never sees it (seatkey/client's cookie mode).
const CookieOnly = t.Optional(t.Boolean());
const TokenBody = t.Optional(
  t.Object({ refreshToken: t.Optional(t.String({ maxLength: 200 })), cookieOnly: CookieOnly }),
);

const answer = (result: AuthResult, cookieOnly: boolean | undefined) =>
  cookieOnly ? { ...result, refreshToken: undefined } : result;

export function authRoutes(deps: Deps) {
  const secureCookie = isHttps(deps);
  const cookieName = secureCookie ? "__Secure-refreshToken" : LEGACY_REFRESH_COOKIE;
  const jarOf = (cookie: Record<string, Cookie<unknown>>) => {
    if (secureCookie && cookie[LEGACY_REFRESH_COOKIE]?.value) cookie[LEGACY_REFRESH_COOKIE].remove();
    return cookie[cookieName] as Cookie<unknown>;
  };

  const setRefreshCookie = (cookie: Cookie<unknown>, result: AuthResult) => {
    cookie.set({
      value: result.refreshToken,
      httpOnly: true,
      sameSite: "strict",
      path: "/api/auth",
      secure: secureCookie,
      maxAge: deps.config.sessionTtl,
    });
  };

  const tokenFrom = (cookie: Cookie<unknown>, body: { refreshToken?: string } | null | undefined): string | undefined =>
    body?.refreshToken ?? (typeof cookie.value === "string" && cookie.value ? cookie.value : undefined);

  // POST /api/auth/refresh-token and its alias /api/auth/refresh.
  const refreshRoute = (path: string) =>
    new Elysia({ name: `auth-refresh${path}` }).use(cookieJson(deps)).post(
      path,
      async ({ body, cookie, request, server }) => {
        const jar = jarOf(cookie);
        const token = tokenFrom(jar, body);
        if (!token) throw unauthorized("missing_token", "Send the refresh token in the refreshToken cookie or body");
        const result = await refresh(deps, token, clientInfo(request, server, deps.config.trustProxy));
        setRefreshCookie(jar, result);
        return answer(result, body?.cookieOnly);
      },
      {
        cookieJson: true,
        body: TokenBody,
        response: TOKEN_ANSWERS,
        detail: { summary: "Rotate the refresh token; get a new access token", tags: ["auth"] },
      },
    );

  return new Elysia({ name: "auth-routes" })
    .use(bearerAuth(deps))
    .use(cookieJson(deps))
    .use(refreshRoute("/api/auth/refresh-token"))
    .use(refreshRoute("/api/auth/refresh"))
    .post(
      "/api/auth/login",
      async ({ body, cookie, query, request, server }) => {
        // ?limited=true signs in without taking a seat (auth-license-server's trial mode).
        const limited = query.limited === "true";
        const result = await login(deps, { ...body, limited }, clientInfo(request, server, deps.config.trustProxy));
        setRefreshCookie(jarOf(cookie), result);
        return answer(result, body.cookieOnly);
      },
      {
        cookieJson: true,
        body: t.Object({
          email: t.String({ minLength: 1, maxLength: 320 }),
          password: t.String({ minLength: 1, maxLength: 1024 }),
          productId: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
          cookieOnly: CookieOnly,
        }),
        query: t.Object({ limited: t.Optional(t.String({ maxLength: 5, description: '"true": no seat is taken' })) }),
        response: TOKEN_ANSWERS,
        detail: { summary: "Log in: takes a seat if one is free", tags: ["auth"] },
      },
    )
    .post(
      "/api/auth/logout",
      async ({ body, cookie, set, request, server }) => {
        const jar = jarOf(cookie);
        const token = tokenFrom(jar, body);
        if (!token) throw unauthorized("missing_token", "Send the refresh token in the refreshToken cookie or body");
        await logoutSession(deps, token, clientInfo(request, server, deps.config.trustProxy));
        jar.set({ value: "", httpOnly: true, sameSite: "strict", path: "/api/auth", secure: secureCookie, maxAge: 0 });
        set.status = 204;
      },
      {
        cookieJson: true,
        body: TokenBody,
        detail: {
          summary: "Log out: revokes this session",
          tags: ["auth"],
          responses: answers({ 204: null }, 400, 401, 403, 415),
        },
      },
    )
    .get("/api/auth/me", ({ auth }) => describeMe(deps, auth), {
      auth: true,
      detail: {
        summary: "Who am I: user, licenses with seats, current session",
        tags: ["auth"],
        responses: answers({ 200: Me }),
      },
    })
    .get(
      "/api/auth/sessions",
      async ({ auth }) => {
        const list = await listLiveSessions(deps, auth.sub);
        return { sessions: list.map((s) => toSessionView(deps, s, auth.sid)) };
      },
      {
        auth: true,
        detail: { summary: "List my live sessions", tags: ["sessions"], responses: answers({ 200: Sessions }) },
      },
    )
    .delete(
      "/api/auth/sessions/:id",
      async ({ auth, params, set, request, server }) => {
        const user = { id: auth.sub, email: auth.email, name: auth.name };
        const revoked = await revokeOwnSession(
          deps,
          user,
          params.id,
          clientInfo(request, server, deps.config.trustProxy),
        );
        if (!revoked) throw notFound("session_not_found", "No such session of yours (or it has already ended)");
        set.status = 204;
      },
      {
        auth: true,
        params: t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) }),
        detail: {
          summary: "Revoke one of my sessions",
          tags: ["sessions"],
          responses: answers({ 204: null }, 400, 404),
        },
      },
    );
}
