// Hostile input (README "The API") on every route (the app's own route table, pages included) — malformed
// JSON, wrong types, huge strings, prototype-pollution keys, SQL and HTML metacharacters, junk and
// forged tokens — never gets a 5xx or a stack trace, is never reflected as markup, changes
// nothing, and leaves the server healthy.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ACTIONS } from "../src/webhooks/actions";
import { bearer, loginAs, type LoginBody, seedUser } from "./fixtures";
import { unlimitedRateLimitEnv } from "../src/config";
import { createTestContext, type TestContext } from "./helpers";
import {
  type BodyVariant,
  bodyVariants,
  concretePaths,
  type Credential,
  databaseFingerprint,
  forgedCredentials,
  REFLECTED_XSS,
  type Route,
  routesOfApp,
} from "./hostile-payloads";
import { seedWebhookToken } from "./process-helpers";

let t: TestContext;
let routes: Route[];
let credentials: Credential[];
let admin: LoginBody;
let webhookToken: string;
let browser: { cookie: string; token: string };
let signedInPages: string;
const ORIGIN = { origin: "http://localhost:3000" };
const problems: string[] = [];

beforeAll(async () => {
  // Limits out of the way, so every hostile request reaches the code behind them.
  const unlimited = unlimitedRateLimitEnv();
  t = await createTestContext({ env: unlimited });
  const adminUser = await seedUser(t, { role: "ADMIN", licenses: [{ seats: 2 }] });
  const owner = await seedUser(t, { licenses: [{ seats: 1 }] });
  admin = await loginAs(t, adminUser);
  const victim = await loginAs(t, owner);
  webhookToken = await seedWebhookToken(t.deps.db, adminUser.id);
  credentials = await forgedCredentials(t.deps, {
    userId: owner.id,
    sessionId: victim.sessionId,
    realAccessToken: victim.accessToken,
  });
  routes = routesOfApp(t.app.routes);
  browser = await csrfPair();
  signedInPages = await accountCookie(adminUser, browser);
});

afterAll(async () => {
  await t.close();
});

/** Sends one hostile request and records anything wrong with the answer in `problems`. */
async function attack(method: string, path: string, variant: BodyVariant | undefined, credential: Credential) {
  const headers: Record<string, string> = { ...credential.headers };
  if (variant && method !== "GET") {
    headers["content-type"] = variant.contentType;
    headers["content-length"] = String(Buffer.byteLength(variant.body));
  }
  const url = `http://localhost${path}${credential.query}`;
  const body = variant && method !== "GET" ? variant.body : undefined;
  const res = await t.app.handle(new Request(url, { method, headers, body }));
  const text = await res.text();
  const label = `${method} ${path.slice(0, 80)} [${variant?.name ?? "no body"} | ${credential.name}] → ${res.status}`;
  if (res.status >= 500) problems.push(`${label}: ${text.slice(0, 200)}`);
  if (/\n\s+at .+:\d+:\d+|node_modules|\/work\//.test(text)) problems.push(`${label}: stack trace or path leaked`);
  // Inside a quoted attribute value "<script>" is inert; outside one it is an injection.
  const markup = text.replace(/="[^"]*"/g, '=""');
  if ((res.headers.get("content-type") ?? "").includes("text/html") && REFLECTED_XSS.some((x) => x.test(markup))) {
    problems.push(`${label}: hostile markup reflected unescaped`);
  }
  if (path.startsWith("/api/") && res.status >= 400) {
    const parsed = safeJson(text);
    if (typeof parsed?.error !== "string" || typeof parsed.code !== "string")
      problems.push(`${label}: not {error, code}`);
  }
  if (({} as Record<string, unknown>).polluted !== undefined || Object.hasOwn(Object.prototype, "role")) {
    problems.push(`${label}: Object.prototype polluted`);
  }
  return res.status;
}

const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0]);

/** A browser's CSRF cookie and the matching form token, as the sign-in page hands them out. */
async function csrfPair(): Promise<{ cookie: string; token: string }> {
  const res = await t.request("GET", "/login");
  const token = /name="_csrf"[^>]*value="([^"]+)"/.exec(await res.text())?.[1] ?? "";
  return { cookie: cookiesOf(res).join("; "), token };
}

/** Signs in through the account page form: the cookies of a signed-in browser. */
async function accountCookie(user: { email: string; password: string }, csrf: { cookie: string; token: string }) {
  const res = await t.request("POST", "/login", {
    body: { email: user.email, password: user.password, _csrf: csrf.token },
    headers: { cookie: csrf.cookie, ...ORIGIN },
  });
  return [csrf.cookie, ...cookiesOf(res)].join("; ");
}

const isForm = (route: Route) => route.method === "POST" && !route.path.startsWith("/api/");

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function healthyAndIntact() {
  expect((await t.request("GET", "/health")).status).toBe(200);
  expect((await t.deps.db.client.execute("PRAGMA integrity_check")).rows[0]?.[0]).toBe("ok");
}

describe("hostile input", () => {
  test("the app's route table lists the routes to attack, pages included (new routes are covered automatically)", () => {
    expect(browser.token.length).toBeGreaterThan(20);
    expect(signedInPages).toMatch(/account=/);
    const names = routes.map((r) => `${r.method} ${r.path}`);
    expect(routes.length).toBeGreaterThanOrEqual(12);
    for (const name of [
      "POST /api/auth/login",
      "POST /api/auth/refresh-token",
      "POST /api/webhooks",
      "GET /api/users/{id}",
      "POST /login",
      "POST /account/password",
    ]) {
      expect(names).toContain(name);
    }
  });

  test("every route × hostile bodies × junk and forged credentials: no 5xx, nothing changed", async () => {
    const before = await databaseFingerprint(t.deps.db);
    let sent = 0;
    for (const route of routes) {
      const variants = bodyVariants(route.fields);
      for (const path of concretePaths(route.path)) {
        for (const [i, variant] of variants.entries()) {
          await attack(route.method, path, variant, credentials[i % credentials.length] as Credential);
          sent++;
        }
        for (const credential of credentials) {
          await attack(route.method, path, variants[variants.length - 4], credential);
          sent++;
        }
        if (!isForm(route)) continue;
        // Past the CSRF check (a real browser's token, no session): the hostile part reaches the form.
        const withCsrf: Credential = { name: "valid csrf", headers: { cookie: browser.cookie, ...ORIGIN }, query: "" };
        for (const variant of bodyVariants(route.fields, { _csrf: browser.token })) {
          await attack(route.method, path, variant, withCsrf);
          sent++;
        }
      }
    }
    expect(sent).toBeGreaterThan(500);
    expect(problems).toEqual([]);
    expect(await databaseFingerprint(t.deps.db)).toEqual(before);
    await healthyAndIntact();
  });

  test("every webhook action × hostile payloads with a valid token: 4xx, nothing changed", async () => {
    const webhook: Credential = {
      name: "valid webhook token",
      headers: { authorization: `Bearer ${webhookToken}` },
      query: "",
    };
    const keyed: Credential = {
      ...webhook,
      name: "hostile idempotency key",
      headers: { ...webhook.headers, "idempotency-key": "' OR 1=1; --<script>" },
    };
    const volatile = { webhook_tokens: ["last_used_at"] };
    const before = await databaseFingerprint(t.deps.db, volatile);
    const statuses = new Set<number>();
    for (const [name, action] of ACTIONS) {
      const fields = Object.keys((action.schema as { properties?: object }).properties ?? {});
      for (const [i, variant] of bodyVariants(fields, { action: name }).entries()) {
        statuses.add(await attack("POST", "/api/webhooks", variant, i % 2 ? keyed : webhook));
      }
    }
    expect(problems).toEqual([]);
    expect([...statuses].every((s) => s >= 400 && s < 500)).toBe(true);
    expect(await databaseFingerprint(t.deps.db, volatile)).toEqual(before);
    await healthyAndIntact();
  });

  test("every route × hostile bodies as a signed-in ADMIN: no 5xx, no stack trace, server healthy", async () => {
    const signedIn: Credential = {
      name: "admin bearer and account session",
      headers: { ...bearer(admin.accessToken), cookie: signedInPages, ...ORIGIN },
      query: "",
    };
    for (const route of routes) {
      const extra: Record<string, string> = isForm(route) ? { _csrf: browser.token } : {};
      for (const path of concretePaths(route.path)) {
        for (const variant of bodyVariants(route.fields, extra)) await attack(route.method, path, variant, signedIn);
      }
    }
    expect(problems).toEqual([]);
    await healthyAndIntact();
    // The admin's own session survived everything it was sent.
    expect((await t.request("GET", "/api/auth/me", { headers: bearer(admin.accessToken) })).status).toBe(200);
  });
});
