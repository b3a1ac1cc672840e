// A client as an app or store written for auth-license-server calls it, from that server's
// handlers (pages/api/auth/login.ts, refresh-token.ts, users.ts, webhook/create.ts, webhook/index.ts):
// the request shapes it sends and the response fields it reads. Nothing seatkey-specific in here.
export type Fetch = (request: Request) => Promise<Response>;

export class LegacyClientError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}: ${JSON.stringify(body)}`);
  }
}

export interface LegacyUser {
  id: number | string;
  email: string;
  name: string;
  role: string;
  status: string;
  createdAt: string;
  licenses: { id: number | string; productId: string; seats: number; validUntil: string; userId: number | string }[];
  sessions: { id: number | string; limited: boolean; userId: number | string }[];
  webhooks: { id: number | string; name: string; userId: number | string }[];
}

export class LegacyClient {
  constructor(
    private readonly fetch: Fetch,
    private readonly base = "http://localhost:3000",
  ) {}

  private async call<T>(method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
    const url = path.startsWith("http") ? path : `${this.base}${path}`;
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const res = await this.fetch(
      new Request(url, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) }),
    );
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) throw new LegacyClientError(res.status, body);
    return { body: body as T, res };
  }

  /** login.ts: {email, password} (+ ?limited=true) → {remainingLicenses, accessToken, refreshToken} and the cookie. */
  async login(email: string, password: string, options: { limited?: boolean } = {}) {
    const query = options.limited ? "?limited=true" : "";
    const { body, res } = await this.call<{ remainingLicenses: number; accessToken: string; refreshToken: string }>(
      "POST",
      `/api/auth/login${query}`,
      { body: { email, password } },
    );
    return { ...body, cookie: res.headers.get("set-cookie") ?? "" };
  }

  /** refresh-token.ts reads the refreshToken cookie → {refreshToken, accessToken}. */
  async refresh(refreshToken: string) {
    const { body } = await this.call<{ refreshToken: string; accessToken: string }>("POST", "/api/auth/refresh-token", {
      headers: { cookie: `refreshToken=${refreshToken}` },
    });
    return body;
  }

  /** users.ts: GET /api/users?userId= with an ADMIN's Bearer → {user}. */
  async user(accessToken: string, userId: number | string) {
    const { body } = await this.call<{ user: LegacyUser }>("GET", `/api/users?userId=${userId}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    return body.user;
  }

  /** webhook/create.ts: {name} with an ADMIN's Bearer → {webhook: "<url>?token=<token>"}. */
  async createWebhook(accessToken: string, name: string) {
    const { body } = await this.call<{ webhook: string }>("POST", "/api/webhook/create", {
      headers: { authorization: `Bearer ${accessToken}` },
      body: { name },
    });
    return body.webhook;
  }

  /** webhook/index.ts: POST <webhook url> {action, …} → {success, response, time}. */
  async hook<T = LegacyUser>(webhookUrl: string, payload: Record<string, unknown>) {
    const { body } = await this.call<{ success: boolean; response: T; time: number }>("POST", webhookUrl, {
      body: payload,
    });
    return body;
  }
}
