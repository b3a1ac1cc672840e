// A tiny browser-like client for server-rendered forms over app.handle: keeps cookies, reads the
// CSRF token from the last page, posts urlencoded forms with the site's Origin.
import type { TestContext } from "./helpers";

export class FormClient {
  readonly cookies = new Map<string, string>();
  csrf = "";

  constructor(
    private readonly t: TestContext,
    private readonly origin = new URL(t.deps.config.publicUrl).origin,
  ) {}

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...rest] = (pair ?? "").split("=");
      if (!name) continue;
      const value = rest.join("=");
      if (/max-age=0/i.test(line) || value === "") this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<{ res: Response; html: string }> {
    const res = await this.t.app.handle(
      new Request(`http://localhost${path}`, { headers: { cookie: this.cookieHeader(), ...headers } }),
    );
    this.remember(res);
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { res, html };
  }

  async post(
    path: string,
    fields: Record<string, string>,
    options: { headers?: Record<string, string>; csrf?: string | null } = {},
  ): Promise<{ res: Response; html: string }> {
    const form = new URLSearchParams(fields);
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    if (csrf !== null) form.set("_csrf", csrf);
    const body = form.toString();
    const res = await this.t.app.handle(
      new Request(`http://localhost${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": String(Buffer.byteLength(body)),
          cookie: this.cookieHeader(),
          origin: this.origin,
          ...options.headers,
        },
        body,
      }),
    );
    this.remember(res);
    const html = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { res, html };
  }
}
