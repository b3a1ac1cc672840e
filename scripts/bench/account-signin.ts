// Signing in to the account pages the way a browser does, to get the cookies for the /account
// workload: GET /login (cookies + the form's hidden fields, e.g. a CSRF token), POST the form
// with the same Origin, keep the cookies it sets, then check GET /account answers 200.
import type { Availability } from "./workloads";

type Jar = Map<string, string>;

function keepCookies(jar: Jar, res: Response) {
  for (const line of res.headers.getSetCookie()) {
    const [pair = ""] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
}

const cookieHeader = (jar: Jar) => [...jar].map(([name, value]) => `${name}=${value}`).join("; ");

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, "i").exec(tag);
  return match ? (match[2] ?? match[3]) : undefined;
}

/** The first POST form of a page: its action and hidden fields. */
function loginForm(html: string): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const fields: Record<string, string> = {};
  for (const [tag] of form[1]?.matchAll(/<input\b[^>]*>/gi) ?? []) {
    const name = attribute(tag, "name");
    if (name && attribute(tag, "type")?.toLowerCase() === "hidden") fields[name] = attribute(tag, "value") ?? "";
  }
  const action = attribute(form[0].slice(0, form[0].indexOf(">") + 1), "action") ?? "/login";
  return { action: action.replaceAll("&amp;", "&"), fields };
}

export async function accountCookie(url: string, email: string, password: string): Promise<Availability<string>> {
  const jar: Jar = new Map();
  const page = await fetch(`${url}/login`, { redirect: "manual" });
  if (page.status === 404) return { ok: false, reason: "not yet available (GET /login is 404)" };
  keepCookies(jar, page);
  const form = loginForm(await page.text());
  if (!form) return { ok: false, reason: "GET /login has no form" };
  const signIn = await fetch(new URL(form.action, url), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: url, cookie: cookieHeader(jar) },
    body: new URLSearchParams({ ...form.fields, email, password }),
  });
  keepCookies(jar, signIn);
  if (signIn.status >= 400) return { ok: false, reason: `POST ${form.action} answered ${signIn.status}` };
  const overview = await fetch(`${url}/account`, { redirect: "manual", headers: { cookie: cookieHeader(jar) } });
  if (overview.status === 404) return { ok: false, reason: "not yet available (GET /account is 404)" };
  if (overview.status !== 200) return { ok: false, reason: `GET /account answered ${overview.status} after sign-in` };
  return { ok: true, value: cookieHeader(jar) };
}
