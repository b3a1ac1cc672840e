// Hostile input for test/hostile.test.ts: the routes (the app's own route table, pages included, so
// new routes are covered without editing this file), bodies, credentials and a database fingerprint.
import { generateKeyPair, SignJWT, UnsecuredJWT } from "jose";
import type { Database } from "../db/client";
import type { Deps } from "../src/deps";
import { JWT_ALG } from "../src/keys/keys";
import { randomToken, sha256Hex } from "../src/lib/crypto";

export interface Route {
  method: string;
  /** Path template, e.g. /api/users/{id} */
  path: string;
  /** Property names of the body, when the route declares its schema. */
  fields: string[];
}

export interface BodyVariant {
  name: string;
  contentType: string;
  body: string;
}

export interface Credential {
  name: string;
  headers: Record<string, string>;
  query: string;
}

export const HOSTILE_STRINGS = [
  "' OR '1'='1' --",
  "admin@example.com'; DROP TABLE users; --",
  '"; DELETE FROM sessions; --',
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "{{constructor.constructor('return process')()}}",
  "../../../../etc/passwd",
  "\u0000\u0001\u001f",
  "\ud800 lone surrogate",
  "\u202e right-to-left override",
  "%00%0d%0aSet-Cookie: x=y",
  "a".repeat(60_000),
];

/** Markup that must never come back unescaped in an HTML page. */
export const REFLECTED_XSS = [/<script>alert\(1\)<\/script>/i, /<img src=x onerror=alert\(1\)>/i];

export const PATH_VALUES = ["' OR 1=1 --", "<script>", "../../etc/passwd", "\u0000", "__proto__", "x".repeat(300)];

type Schema = { properties?: Record<string, unknown> };
interface AppRoute {
  method: string;
  path: string;
  hooks?: { body?: unknown };
}

/** Every route of the app (`app.routes`), with the fields of its body schema where it has one. */
export function routesOfApp(appRoutes: readonly AppRoute[]): Route[] {
  const seen = new Set<string>();
  const routes: Route[] = [];
  for (const route of appRoutes) {
    const path = route.path.replace(/:(\w+)/g, "{$1}");
    const key = `${route.method} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const fields = Object.keys((route.hooks?.body as Schema | undefined)?.properties ?? {});
    routes.push({ method: route.method, path, fields });
  }
  return routes;
}

/** The concrete paths to call for a template: every {param} replaced by each hostile value. */
export function concretePaths(template: string): string[] {
  if (!template.includes("{")) return [template];
  return PATH_VALUES.map((value) => template.replace(/\{[^}]+\}/g, encodeURIComponent(value)));
}

const JSON_TYPE = "application/json";
const json = (name: string, value: unknown): BodyVariant => ({
  name,
  contentType: JSON_TYPE,
  body: JSON.stringify(value),
});
const fill = (fields: string[], value: unknown) => Object.fromEntries(fields.map((f) => [f, value]));

/** Malformed, mistyped, oversized, polluting and metacharacter bodies for a route with `fields`. */
export function bodyVariants(fields: string[], extra: Record<string, string> = {}): BodyVariant[] {
  // `extra` (an action name, a valid CSRF token) is sent as is, so the hostile part gets past it.
  const names = (fields.length > 0 ? fields : ["email", "password", "token", "name"]).filter((f) => !(f in extra));
  const form = new URLSearchParams(extra).toString();
  const rest = JSON.stringify({ x: 1, ...fill(names, "x"), ...extra }).slice(1);
  const pollution = `{"__proto__":{"polluted":"yes","role":"ADMIN"},"constructor":{"prototype":{"polluted":"yes"}},${rest}`;
  return [
    { name: "empty", contentType: JSON_TYPE, body: "" },
    { name: "malformed json", contentType: JSON_TYPE, body: '{"email": "a@b.c", ' },
    { name: "deep nesting", contentType: JSON_TYPE, body: `${"[".repeat(5_000)}${"]".repeat(5_000)}` },
    json("null", null),
    json("array", [1, 2, 3]),
    json("string", "just a string"),
    json("number", 42),
    ...[123, -1.5, true, {}, [], null, 1e308].map((v) =>
      json(`fields = ${JSON.stringify(v)}`, { ...fill(names, v), ...extra }),
    ),
    ...HOSTILE_STRINGS.map((s, i) => json(`hostile string #${i}`, { ...fill(names, s), ...extra })),
    { name: "prototype pollution", contentType: JSON_TYPE, body: pollution },
    json("constructor.prototype key", { ...fill(names, "x"), ...extra, "constructor.prototype.polluted": "yes" }),
    { name: "oversized body", contentType: JSON_TYPE, body: JSON.stringify({ ...extra, x: "b".repeat(70_000) }) },
    { name: "json as text/plain", contentType: "text/plain", body: JSON.stringify(fill(names, "x")) },
    {
      name: "form with polluting keys",
      contentType: "application/x-www-form-urlencoded",
      body: `${form}&${names.map((n) => `${n}[]=a&${n}[$ne]=1`).join("&")}&__proto__[polluted]=yes&constructor[prototype][polluted]=yes`,
    },
    {
      name: "broken multipart",
      contentType: "multipart/form-data; boundary=zz",
      body: '--zz\r\nContent-Disposition: form-data; name="a"\r\n\r\nb',
    },
    { name: "binary junk", contentType: "application/octet-stream", body: "\u00ff\u00fe\u0000junk" },
  ];
}

/** Junk, tampered and forged credentials, aimed at a real user and session where that matters. */
export async function forgedCredentials(
  deps: Deps,
  target: { userId: string; sessionId: string; realAccessToken: string },
): Promise<Credential[]> {
  const now = Math.floor(deps.clock.now() / 1000);
  const claims = {
    sid: target.sessionId,
    role: "ADMIN",
    status: "ACTIVE",
    email: "x@example.com",
    name: "x",
    licenses: [],
  };
  const forge = (jwt: SignJWT) =>
    jwt
      .setIssuer(deps.config.jwtIssuer)
      .setAudience(deps.config.jwtAudience)
      .setSubject(target.userId)
      .setJti(randomToken(8))
      .setIssuedAt(now)
      .setExpirationTime(now + 600);
  const none = new UnsecuredJWT(claims)
    .setIssuer(deps.config.jwtIssuer)
    .setAudience(deps.config.jwtAudience)
    .setSubject(target.userId)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .encode();
  const publicJwkX = (JSON.parse(deps.keys.jwksJson) as { keys: { x: string }[] }).keys[0]?.x ?? "";
  const hs256 = await forge(new SignJWT(claims))
    .setProtectedHeader({ alg: "HS256", kid: deps.keys.kid, typ: "at+jwt" })
    .sign(new TextEncoder().encode(publicJwkX));
  const { privateKey: stranger } = await generateKeyPair(JWT_ALG, { crv: "Ed25519" });
  const otherKey = await forge(new SignJWT(claims))
    .setProtectedHeader({ alg: JWT_ALG, kid: deps.keys.kid, typ: "at+jwt" })
    .sign(stranger);
  // The real token with its payload swapped for an ADMIN one, signature kept.
  const [head, , signature] = target.realAccessToken.split(".");
  const payload = Buffer.from(JSON.stringify({ ...claims, sub: target.userId, exp: now + 600 })).toString("base64url");
  const tampered = `${head}.${payload}.${signature}`;
  const forgedRefresh = `${target.sessionId}.${randomToken(32)}`;

  const bearer = (name: string, token: string): Credential => ({
    name,
    headers: { authorization: `Bearer ${token}` },
    query: `?token=${encodeURIComponent(token)}`,
  });
  return [
    { name: "no credentials", headers: {}, query: "" },
    bearer("junk bearer", "junk"),
    bearer("alg none", none),
    bearer("HS256 keyed with the public key", hs256),
    bearer("right kid, wrong Ed25519 key", otherKey),
    bearer("tampered payload", tampered),
    bearer("random webhook-shaped token", randomToken()),
    bearer("huge token", "A".repeat(20_000)),
    { name: "basic auth", headers: { authorization: "Basic YWRtaW46YWRtaW4=" }, query: "?token[]=a&token[$ne]=x" },
    {
      name: "forged refresh cookie for a real session",
      headers: { cookie: `refreshToken=${forgedRefresh}; csrf=${randomToken()}; __Host-csrf=junk` },
      query: `?token=${forgedRefresh}`,
    },
    { name: "junk cookies", headers: { cookie: "refreshToken=%%%; =; ;;; a=\u00ff" }, query: "?token=%E0%A4%A" },
  ];
}

/**
 * A fingerprint of every table except the ones that are meant to record refused attempts
 * (audit_log, rate_limits); `ignore` drops volatile columns (e.g. a webhook's last_used_at).
 */
export async function databaseFingerprint(
  db: Database,
  ignore: Record<string, string[]> = {},
): Promise<Record<string, string>> {
  const tables = await db.client.execute(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name",
  );
  const print: Record<string, string> = {};
  for (const { name } of tables.rows) {
    const table = String(name);
    if (table === "audit_log" || table === "rate_limits") continue;
    const rows = (await db.client.execute(`SELECT * FROM "${table}" ORDER BY rowid`)).rows.map((row) => {
      const copy: Record<string, unknown> = { ...row };
      for (const column of ignore[table] ?? []) delete copy[column];
      return copy;
    });
    print[table] = `${rows.length}:${sha256Hex(JSON.stringify(rows))}`;
  }
  return print;
}
