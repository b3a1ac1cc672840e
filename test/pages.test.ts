// The server-rendered password pages over HTTP (README "Passwords and email"): security headers, CSRF + Origin,
// errors beside the field with input kept, HTML error pages — and API errors still JSON.
import { afterAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { users } from "../db/schema";
import { STYLESHEET } from "../views/assets";
import { createTestContext, type TestContext } from "./helpers";
import { seedUser } from "./fixtures";
import { linkIn } from "./smtp";

const t = await createTestContext({ env: { TRUST_PROXY: "true" } });
afterAll(() => t.close());

const ORIGIN = "http://localhost:3000";
const CSP = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";
const NEW_PASSWORD = "walking to the harbour at dawn";
let lastIp = 0;

interface Form {
  cookie: string;
  csrf: string;
  html: string;
}

async function openForm(path: string, ctx: TestContext = t): Promise<Form> {
  const res = await ctx.request("GET", path, { headers: { accept: "text/html" } });
  const html = await res.text();
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
  return { cookie, csrf, html };
}

/** Posts a form as a browser on this site would; a header given as null is left out. */
function postForm(path: string, fields: Record<string, string>, extra: Record<string, string | null> = {}) {
  const headers: Record<string, string> = {};
  const all = {
    "content-type": "application/x-www-form-urlencoded",
    origin: ORIGIN,
    "x-forwarded-for": `192.0.2.${++lastIp}`,
    ...extra,
  };
  for (const [name, value] of Object.entries(all)) if (value !== null) headers[name] = value;
  return t.request("POST", path, { body: new URLSearchParams(fields).toString(), headers });
}

function expectPageHeaders(res: Response) {
  expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
  expect(res.headers.get("content-security-policy")).toBe(CSP);
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on form posts (refused).
  expect(res.headers.get("referrer-policy")).toBe("same-origin");
  expect(res.headers.get("cache-control")).toBe("no-store");
}

/** A user and a fresh create-password token for them, from the mail they got. */
async function userWithLink() {
  const user = await seedUser(t);
  const form = await openForm("/reset-password");
  const res = await postForm("/reset-password", { _csrf: form.csrf, email: user.email }, { cookie: form.cookie });
  expect(res.status).toBe(200);
  const mail = await t.smtp.waitFor((m) => m.to.includes(user.email));
  const link = linkIn(mail, `${ORIGIN}/create-password?token=`);
  return { user, token: new URL(link).searchParams.get("token")!, path: new URL(link).pathname + new URL(link).search };
}

const hashOf = async (id: string) =>
  (await t.deps.db.orm.query.users.findFirst({ where: eq(users.id, id) }))?.passwordHash;

describe("GET pages", () => {
  test("/reset-password: a form with a CSRF field, the security headers and an HttpOnly SameSite=Lax cookie", async () => {
    const res = await t.request("GET", "/reset-password");
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    const html = await res.text();
    expect(html).toStartWith('<!doctype html><html lang="en">');
    expect(html).toMatch(/<input type="hidden" name="_csrf" value="[A-Za-z0-9_-]{43}"\/>/);
    expect(html).toContain('<label for="email">Email address</label>');
    expect(html).toContain(`href="${STYLESHEET.url}"`);
    expect(html).toContain("<main");
  });

  test("on https the cookie is Secure and __Host- prefixed", async () => {
    const https = await createTestContext({ env: { PUBLIC_URL: "https://auth.example.com" } });
    const res = await https.request("GET", "/reset-password");
    expect(res.headers.get("set-cookie")).toMatch(/^__Host-csrf=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    await https.close();
  });

  test("/create-password with a valid link shows the form for that account, token kept in the form", async () => {
    const { user, token, path } = await userWithLink();
    const res = await t.request("GET", path);
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    const html = await res.text();
    expect(html).toContain(`value="${user.email}"`);
    expect(html).toContain(`name="token" value="${token}"`);
    expect(html).toContain('autocomplete="new-password"');
  });

  test("/create-password with a bad or missing link says it is not valid and offers a new one", async () => {
    for (const path of ["/create-password?token=nope", "/create-password"]) {
      const res = await t.request("GET", path);
      expect(res.status).toBe(400);
      expectPageHeaders(res);
      const html = await res.text();
      expect(html).toContain("This link is not valid");
      expect(html).toContain('href="/reset-password"');
    }
  });

  test("/create-password with an expired link says so (not 'not valid', not 'used')", async () => {
    const { path } = await userWithLink();
    t.clock.advance(31 * 60_000);
    const res = await t.request("GET", path);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("This link has expired");
  });
});

describe("forms", () => {
  test("reset: the same 'check your email' page for known and unknown addresses", async () => {
    const user = await seedUser(t);
    const pages = [];
    for (const email of [user.email, "stranger@example.com"]) {
      const form = await openForm("/reset-password");
      const res = await postForm("/reset-password", { _csrf: form.csrf, email }, { cookie: form.cookie });
      expect(res.status).toBe(200);
      pages.push((await res.text()).replace(email, "EMAIL"));
    }
    expect(pages[0]).toBe(pages[1]!);
    expect(pages[0]).toContain("Check your email");
  });

  test("reset: an invalid address is shown beside the field, kept and escaped", async () => {
    const form = await openForm("/reset-password");
    const hostile = `"><script>alert(1)</script>`;
    const res = await postForm("/reset-password", { _csrf: form.csrf, email: hostile }, { cookie: form.cookie });
    expect(res.status).toBe(400);
    const html = await res.text();
    // The quote is escaped, so the value cannot leave its attribute (< and > are inert inside it).
    expect(html).toContain('value="&#34;><script>alert(1)</script>"');
    expect(html).not.toContain('"><script>');
    expect(html).toMatch(/id="email-error"[^>]*>Enter an email address/);
    expect(html).toContain('aria-describedby="email-error" aria-invalid="true"/>');
    expect(html).toContain("<title>Error: Reset your password");
  });

  test("create: a weak password is shown beside the field, the password is never echoed, the link still works", async () => {
    const { user, token, path } = await userWithLink();
    const form = await openForm(path);
    const weak = "passwordpassword";
    const res = await postForm(
      "/create-password",
      { _csrf: form.csrf, token, password: weak, confirm: weak },
      { cookie: form.cookie },
    );
    expect(res.status).toBe(400);
    expectPageHeaders(res);
    const html = await res.text();
    expect(html).not.toContain(weak);
    expect(html).toMatch(/id="password-error"[^>]*>This password is on a list of commonly used passwords/);
    expect(html).toContain(`name="token" value="${token}"`);
    expect(await hashOf(user.id)).not.toBeNull();

    const mismatch = await postForm(
      "/create-password",
      { _csrf: form.csrf, token, password: NEW_PASSWORD, confirm: "something else entirely" },
      { cookie: form.cookie },
    );
    expect(mismatch.status).toBe(400);
    const mismatchHtml = await mismatch.text();
    expect(mismatchHtml).toMatch(/id="confirm-error"[^>]*>The two passwords don(&#x27;|&#39;)t match/);
    expect(mismatchHtml).not.toContain(NEW_PASSWORD);

    const ok = await postForm(
      "/create-password",
      { _csrf: form.csrf, token, password: NEW_PASSWORD, confirm: NEW_PASSWORD },
      { cookie: form.cookie },
    );
    // POST → 303 → GET, so a reload does not send the form again.
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/create-password/done");
    const done = await (await t.request("GET", "/create-password/done")).text();
    expect(done).toContain("Password saved");
    expect(done).toContain('href="/login"');
    expect(await t.deps.hasher.verify((await hashOf(user.id)) ?? "", NEW_PASSWORD)).toBe(true);
  });

  test("create: a used link answers 'already been used', on the form and when opened again", async () => {
    const { token, path } = await userWithLink();
    const form = await openForm(path);
    const fields = { _csrf: form.csrf, token, password: NEW_PASSWORD, confirm: NEW_PASSWORD };
    expect((await postForm("/create-password", fields, { cookie: form.cookie })).status).toBe(303);
    const again = await postForm("/create-password", fields, { cookie: form.cookie });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("This link has already been used");
    expect(await (await t.request("GET", path)).text()).toContain("This link has already been used");
  });

  test("a rate-limited form answers 429 with Retry-After and the message on the form", async () => {
    const form = await openForm("/reset-password");
    const email = "limited-page@example.com";
    let res: Response | undefined;
    for (let i = 0; i <= t.deps.config.rateLimits.resetPerAccount.max; i++) {
      res = await postForm("/reset-password", { _csrf: form.csrf, email }, { cookie: form.cookie });
    }
    expect(res?.status).toBe(429);
    expect(Number(res?.headers.get("retry-after"))).toBeGreaterThan(0);
    const html = (await res?.text()) ?? "";
    expect(html).toContain("Too many attempts");
    expect(html).toContain(`value="${email}"`);
  });
});

describe("CSRF and Origin", () => {
  test("forged posts are refused with a 403 HTML page and change nothing", async () => {
    const { user, token, path } = await userWithLink();
    const hash = await hashOf(user.id);
    const form = await openForm(path);
    const other = await openForm("/reset-password");
    const fields = { token, password: NEW_PASSWORD, confirm: NEW_PASSWORD };
    const forged: [string, Record<string, string>, Record<string, string>][] = [
      ["no token, no cookie", fields, {}],
      ["no token", fields, { cookie: form.cookie }],
      ["token without its cookie", { ...fields, _csrf: form.csrf }, {}],
      [
        "token of another cookie",
        { ...fields, _csrf: form.csrf },
        { cookie: other.cookie.replace(/=.*/, "=x".padEnd(44, "x")) },
      ],
      ["tampered token", { ...fields, _csrf: `${form.csrf.slice(0, -2)}AA` }, { cookie: form.cookie }],
      ["foreign Origin", { ...fields, _csrf: form.csrf }, { cookie: form.cookie, origin: "https://evil.example" }],
      ["Origin null", { ...fields, _csrf: form.csrf }, { cookie: form.cookie, origin: "null" }],
      ["cross-site fetch", { ...fields, _csrf: form.csrf }, { cookie: form.cookie, "sec-fetch-site": "cross-site" }],
    ];
    for (const [name, body, headers] of forged) {
      const res = await postForm("/create-password", body, headers);
      expect({ name, status: res.status }).toEqual({ name, status: 403 });
      expectPageHeaders(res);
      expect(await res.text()).toContain("Nothing was changed");
    }
    expect(await hashOf(user.id)).toBe(hash);
    // The link was not used up by any of them.
    const ok = await postForm("/create-password", { ...fields, _csrf: form.csrf }, { cookie: form.cookie });
    expect(ok.status).toBe(303);
  });

  test("a forged reset request sends no mail", async () => {
    const user = await seedUser(t);
    const res = await postForm("/reset-password", { email: user.email }, { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    await Bun.sleep(100);
    expect(t.smtp.messages.filter((m) => m.to.includes(user.email))).toHaveLength(0);
  });

  test("a post without an Origin header (older browsers) passes on the token alone", async () => {
    const form = await openForm("/reset-password");
    const res = await postForm(
      "/reset-password",
      { _csrf: form.csrf, email: "no-origin@example.com" },
      { cookie: form.cookie, origin: null },
    );
    expect(res.status).toBe(200);
  });
});

describe("errors: HTML for pages, JSON for the API", () => {
  test("a malformed form post gets an HTML 400 page, not JSON", async () => {
    const form = await openForm("/reset-password");
    const res = await postForm(
      "/reset-password",
      { _csrf: form.csrf, email: "x".repeat(5000) },
      { cookie: form.cookie },
    );
    expect(res.status).toBe(400);
    expectPageHeaders(res);
    expect(await res.text()).toContain("Some of the form");
  });

  test("a browser asking for an unknown page gets an HTML 404", async () => {
    const res = await t.request("GET", "/no-such-page", { headers: { accept: "text/html,*/*" } });
    expect(res.status).toBe(404);
    expectPageHeaders(res);
    expect(await res.text()).toContain("Page not found");
  });

  test("API errors stay JSON with the html plugin installed, even for a browser's Accept", async () => {
    const cases: [string, string, unknown][] = [
      ["GET", "/api/no-such-route", undefined],
      ["POST", "/api/auth/create-password", { token: 1 }],
      ["POST", "/api/auth/create-password", { token: "bogus", password: NEW_PASSWORD, confirm: NEW_PASSWORD }],
      ["POST", "/api/auth/reset-password", { email: "not-an-email" }],
    ];
    for (const [method, path, body] of cases) {
      const res = await t.request(method, path, { body, headers: { accept: "text/html" } });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.headers.get("content-type")).toContain("application/json");
      const json = (await res.json()) as { error?: string; code?: string };
      expect(typeof json.error).toBe("string");
      expect(typeof json.code).toBe("string");
    }
  });
});

describe("assets", () => {
  test("the stylesheet is served by the app, cached for a year at its hashed URL, with ETag revalidation", async () => {
    const res = await t.request("GET", STYLESHEET.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toContain(":focus-visible");
    const plain = await t.request("GET", "/assets/style.css", { headers: { "if-none-match": STYLESHEET.etag } });
    expect(plain.status).toBe(304);
    expect(plain.headers.get("cache-control")).toBe("public, max-age=300");
  });
});
