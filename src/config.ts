// Configuration: parsed once from the environment, every problem collected, thrown once.
// Pure: takes an env object, never reads process.env itself.

export type Env = Record<string, string | undefined>;

export interface RateLimitRule {
  /** How many events are allowed per window. */
  max: number;
  /** Window length, seconds. */
  window: number;
}

export interface Config {
  env: "development" | "production" | "test";
  port: number;
  /** Address to listen on (HOST). */
  host: string;
  publicUrl: string;
  databaseUrl: string;
  databaseAuthToken: string | undefined;
  databaseSyncUrl: string | undefined;
  /** base64url JWK of the current Ed25519 private key (with kid); undefined → dev key file. */
  jwtPrivateKey: string | undefined;
  /** base64url public JWKs of previous keys still accepted / published. */
  jwtPublicKeys: string[];
  /** 32 random bytes, base64url; seals secrets that must be readable again. */
  secretKey: string | undefined;
  devKeyFile: string;
  jwtIssuer: string;
  jwtAudience: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** seconds */
  accessTokenTtl: number;
  /** seconds */
  sessionTtl: number;
  /** seconds a just-replaced refresh token may be presented again */
  refreshGrace: number;
  /** seconds without a refresh after which a session stops holding a seat */
  seatIdleTimeout: number;
  /** "cooldown": a released seat stays counted until its last access token expires; "immediate": freed at once. */
  seatRelease: "cooldown" | "immediate";
  /** false, or which proxy header to believe and how many proxies stand in front (README "Behind a proxy"). */
  trustProxy: ProxyTrust | false;
  /** seconds without use after which an account-page sign-in ends */
  accountIdleTimeout: number;
  /** seconds a request body may stall mid-upload before the connection is cut */
  bodyIdleTimeout: number;
  corsOrigins: string[];
  workers: number;
  passwordMinLength: number;
  passwordMaxLength: number;
  /** The product a create-license without productId gets on the auth-license-server routes. */
  defaultProductId: string | undefined;
  /** The name people know the product by (pages and mails); undefined → PUBLIC_URL's host. */
  brandName: string | undefined;
  /** An https image shown at the top of every mail. */
  brandLogoUrl: string | undefined;
  /** Where mails tell people to write when something is wrong. */
  supportEmail: string | undefined;
  /** Serve the API reference page at /openapi (the JSON at /openapi/json is always there). */
  openapiUi: boolean;
  rateLimits: Record<keyof typeof RATE_LIMITS, RateLimitRule>;
  /** Things worth saying at start that do not stop it (e.g. running in development mode). */
  warnings: string[];
  /** seconds a store subscription's license outlives its paid period (late renewals) */
  storeRenewalGrace: number;
  /** seconds a handled (applied or ignored) store event is kept, for repeats and operators */
  storeEventsRetention: number;
  /** Stripe secret key: fetches one-time checkout line items when set */
  stripeApiKey: string | undefined;
  /** Where the Stripe SDK sends API calls (default api.stripe.com; tests: a local stub) */
  stripeApiBase: string | undefined;
  /** Event webhooks may go to private and loopback addresses (tests, a receiver on the same host). */
  eventsAllowPrivate: boolean;
}

export interface ProxyTrust {
  /** The one header the client address is read from, lower-case. */
  header: (typeof PROXY_HEADERS)[number];
  /** x-forwarded-for only: how many proxies append to it (the address is the hops-th entry from the right). */
  hops: number;
}

export const PROXY_HEADERS = ["x-forwarded-for", "x-real-ip", "cf-connecting-ip", "true-client-ip"] as const;

/** Caps that keep the revocation window and the replay window short (README "Tokens"). */
export const MAX_ACCESS_TOKEN_TTL = 3600;
export const MAX_REFRESH_GRACE = 300;

/** Each rate limit: its env name (RATE_LIMIT_<name>_MAX / _WINDOW), default max, default window (s). */
export const RATE_LIMITS = {
  loginPerAccountIp: ["LOGIN_ACCOUNT_IP", 10, 900],
  loginPerAccount: ["LOGIN_ACCOUNT", 100, 86400],
  loginPerIp: ["LOGIN_IP", 100, 900],
  refreshPerIp: ["REFRESH_IP", 600, 60],
  resetPerIp: ["RESET_IP", 5, 3600],
  resetPerAccount: ["RESET_ACCOUNT", 3, 3600],
  createPasswordPerIp: ["CREATE_PASSWORD_IP", 20, 3600],
  webhookPerToken: ["WEBHOOK", 600, 60],
  introspectPerClient: ["INTROSPECT_CLIENT", 6000, 60],
} as const satisfies Record<string, readonly [string, number, number]>;

/** Env overrides that lift every rate limit (benchmarks, hostile-input tests). */
export function unlimitedRateLimitEnv(max = 1_000_000): Record<string, string> {
  return Object.fromEntries(Object.values(RATE_LIMITS).map(([name]) => [`RATE_LIMIT_${name}_MAX`, String(max)]));
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "600", "600s", "10m", "12h", "180d" → seconds. */
export function parseDuration(value: string): number | undefined {
  const match = /^(\d+)\s*([smhd]?)$/.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * (DURATION_UNITS[match[2] || "s"] ?? 1);
}

export function loadConfig(env: Env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
      problems.push(`${name}="${raw}" must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };

  const duration = (name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const seconds = parseDuration(raw);
    if (seconds === undefined || seconds < min) {
      problems.push(`${name}="${raw}" must be a duration of at least ${min}s, like 600, 10m, 12h or 180d`);
      return fallback;
    }
    if (seconds > max) {
      problems.push(`${name}="${raw}" must be at most ${max}s: longer would keep revoked or replayed tokens usable`);
      return fallback;
    }
    return seconds;
  };

  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (["1", "true", "yes", "on"].includes(raw)) return true;
    if (["0", "false", "no", "off"].includes(raw)) return false;
    problems.push(`${name}="${raw}" must be true or false`);
    return fallback;
  };

  /** One of `values`; the first is the default. */
  const oneOf = <T extends string>(name: string, values: readonly [T, ...T[]]): T => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return values[0];
    if ((values as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${name}="${raw}" must be one of ${values.join(", ")}`);
    return values[0];
  };

  const rule = (name: string, max: number, window: number): RateLimitRule => ({
    max: integer(`${name}_MAX`, max, 1, 1_000_000),
    window: duration(`${name}_WINDOW`, window),
  });

  const warnings: string[] = [];
  const nodeEnv = read("NODE_ENV") ?? "development";
  if (read("NODE_ENV") === undefined) {
    warnings.push(
      "NODE_ENV is not set: running in development mode (generated keys, relaxed checks). Set NODE_ENV=production on a server.",
    );
  }
  if (!["development", "production", "test"].includes(nodeEnv)) {
    problems.push(`NODE_ENV="${nodeEnv}" must be development, production or test`);
  }
  const production = nodeEnv === "production";
  const port = integer("PORT", 3000, 0, 65535);

  let publicUrl = read("PUBLIC_URL");
  if (publicUrl === undefined) {
    if (production) problems.push("PUBLIC_URL is required in production (e.g. https://auth.example.com)");
    publicUrl = `http://localhost:${port}`;
  } else if (!isHttpUrl(publicUrl)) {
    problems.push(`PUBLIC_URL="${publicUrl}" must be an http(s) URL like https://auth.example.com`);
  }
  publicUrl = publicUrl.replace(/\/+$/, "");

  const databaseUrl = read("DATABASE_URL") ?? "file:db/seatkey.db";
  if (!/^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/.test(databaseUrl)) {
    problems.push(`DATABASE_URL="${databaseUrl}" must start with file:, libsql://, http(s):// or ws(s)://`);
  }
  if (databaseUrl === ":memory:" || databaseUrl === "file::memory:") {
    problems.push("DATABASE_URL must be a file or server, not :memory: (transactions would open a new empty database)");
  }
  const databaseSyncUrl = read("DATABASE_SYNC_URL");
  if (databaseSyncUrl && !databaseUrl.startsWith("file:")) {
    problems.push("DATABASE_SYNC_URL (embedded replica) needs DATABASE_URL to be the local file:… replica path");
  }
  if (databaseSyncUrl && !/^(libsql:\/\/|https?:\/\/|wss?:\/\/)/.test(databaseSyncUrl)) {
    problems.push(`DATABASE_SYNC_URL="${databaseSyncUrl}" must be a libsql:// or http(s):// URL`);
  }

  const jwtPrivateKey = read("JWT_PRIVATE_KEY");
  const secretKey = read("SECRET_KEY");
  if (production && !jwtPrivateKey) {
    problems.push("JWT_PRIVATE_KEY is required in production: run `bun run keys generate` and set it");
  }
  if (production && !secretKey) {
    problems.push("SECRET_KEY is required in production: run `bun run keys generate` and set it");
  }
  if (secretKey && !/^[A-Za-z0-9_-]{43}$/.test(secretKey)) {
    problems.push("SECRET_KEY must be 32 bytes in base64url (43 characters): run `bun run keys generate`");
  } else if (secretKey && lowEntropy(secretKey)) {
    problems.push("SECRET_KEY looks hand-made (too few distinct bytes): run `bun run keys generate` for a random one");
  }
  if (production && !publicUrl.startsWith("https://") && !boolean("ALLOW_INSECURE_HTTP", false)) {
    problems.push(
      `PUBLIC_URL="${publicUrl}" must be https:// in production (cookies are only Secure on https); behind a TLS proxy on this machine set ALLOW_INSECURE_HTTP=true`,
    );
  }

  const smtpUrl = read("SMTP_URL");
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) {
    problems.push(`SMTP_URL must start with smtp:// or smtps:// (got "${redactUrl(smtpUrl)}")`);
  }
  const mailFrom = read("MAIL_FROM") ?? "seatkey <no-reply@localhost>";

  const corsOrigins = (read("CORS_ORIGINS") ?? "")
    .split(",")
    .map((o) => o.trim().replace(/\/+$/, ""))
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!isHttpUrl(origin))
      problems.push(`CORS_ORIGINS entry "${origin}" must be an origin like https://app.example.com`);
  }

  const passwordMinLength = integer("PASSWORD_MIN_LENGTH", 15, 8, 256);

  const brandLogoUrl = read("BRAND_LOGO_URL");
  if (brandLogoUrl && !/^https:\/\//.test(brandLogoUrl)) {
    problems.push(`BRAND_LOGO_URL="${brandLogoUrl}" must be an https:// image URL (mail clients block others)`);
  }
  const supportEmail = read("SUPPORT_EMAIL");
  if (supportEmail && !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(supportEmail)) {
    problems.push(`SUPPORT_EMAIL="${supportEmail}" must be an email address like support@example.com`);
  }

  const config: Config = {
    env: nodeEnv as Config["env"],
    port,
    host: read("HOST") ?? "0.0.0.0",
    publicUrl,
    databaseUrl,
    databaseAuthToken: read("DATABASE_AUTH_TOKEN"),
    databaseSyncUrl,
    jwtPrivateKey,
    jwtPublicKeys: (read("JWT_PUBLIC_KEYS") ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean),
    secretKey,
    devKeyFile: read("DEV_KEY_FILE") ?? "db/.dev-keys.json",
    jwtIssuer: read("JWT_ISSUER") ?? publicUrl,
    jwtAudience: read("JWT_AUDIENCE") ?? "seatkey",
    smtpUrl,
    mailFrom,
    accessTokenTtl: duration("ACCESS_TOKEN_TTL", 600, 10, MAX_ACCESS_TOKEN_TTL),
    sessionTtl: duration("SESSION_TTL", 180 * 86400, 60),
    refreshGrace: duration("REFRESH_GRACE", 30, 1, MAX_REFRESH_GRACE),
    seatIdleTimeout: duration("SEAT_IDLE_TIMEOUT", 1800, 60),
    seatRelease: oneOf("SEAT_RELEASE", ["cooldown", "immediate"] as const),
    accountIdleTimeout: duration("ACCOUNT_IDLE_TIMEOUT", 12 * 3600, 60),
    bodyIdleTimeout: duration("BODY_IDLE_TIMEOUT", 5, 1, 60),
    trustProxy: proxyTrust(read("TRUST_PROXY"), read("TRUST_PROXY_HEADER"), problems),
    corsOrigins,
    workers: integer("WORKERS", 1, 1, 64),
    passwordMinLength,
    passwordMaxLength: 256,
    defaultProductId: read("DEFAULT_PRODUCT_ID"),
    storeRenewalGrace: duration("STORE_RENEWAL_GRACE", 3 * 86400, 0),
    // At least a week: longer than any store retries a delivery, so a repeat always finds its event.
    storeEventsRetention: duration("STORE_EVENTS_RETENTION", 90 * 86400, 7 * 86400),
    stripeApiKey: read("STRIPE_API_KEY"),
    stripeApiBase: read("STRIPE_API_BASE"),
    brandName: read("BRAND_NAME")?.slice(0, 80),
    brandLogoUrl,
    supportEmail,
    openapiUi: boolean("OPENAPI_UI", !production),
    rateLimits: Object.fromEntries(
      Object.entries(RATE_LIMITS).map(([key, [name, max, window]]) => [key, rule(`RATE_LIMIT_${name}`, max, window)]),
    ) as Config["rateLimits"],
    warnings,
    eventsAllowPrivate: boolean("EVENTS_ALLOW_PRIVATE", false),
  };
  if (config.stripeApiBase !== undefined && !isHttpUrl(config.stripeApiBase)) {
    problems.push(`STRIPE_API_BASE="${config.stripeApiBase}" must be an http(s) URL`);
  }
  if (config.refreshGrace >= config.accessTokenTtl * 10) {
    problems.push("REFRESH_GRACE must be short (well under ACCESS_TOKEN_TTL), e.g. 30s");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * TRUST_PROXY: false (default), true (one proxy) or the number of proxies in front; TRUST_PROXY_HEADER:
 * the one header that carries the client address (x-forwarded-for by default). Nothing else is believed.
 */
function proxyTrust(raw: string | undefined, rawHeader: string | undefined, problems: string[]): ProxyTrust | false {
  const value = raw?.toLowerCase() ?? "false";
  const header = (rawHeader?.toLowerCase() ?? "x-forwarded-for") as ProxyTrust["header"];
  if (!PROXY_HEADERS.includes(header)) {
    problems.push(`TRUST_PROXY_HEADER="${rawHeader}" must be one of ${PROXY_HEADERS.join(", ")}`);
  }
  if (["0", "false", "no", "off"].includes(value)) return false;
  if (["true", "yes", "on"].includes(value)) return { header, hops: 1 };
  if (/^[1-9]$/.test(value)) return { header, hops: Number(value) };
  problems.push(`TRUST_PROXY="${raw}" must be false, true or the number of proxies in front (1-9)`);
  return false;
}

/** A base64url 32-byte key with few distinct bytes was typed or padded by hand, not generated. */
function lowEntropy(key: string): boolean {
  return new Set(Buffer.from(key, "base64url")).size < 16;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** Hide credentials of a URL before it is printed. */
export function redactUrl(value: string): string {
  return value.replace(/\/\/[^@/]*@/, "//***@");
}
