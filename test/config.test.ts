import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig, parseDuration } from "../src/config";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("configuration", () => {
  test("defaults need nothing configured in development", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe("file:db/seatkey.db");
    expect(config.publicUrl).toBe("http://localhost:3000");
    expect(config.accessTokenTtl).toBe(600);
    expect(config.sessionTtl).toBe(180 * 86400);
    expect(config.seatIdleTimeout).toBe(1800);
    expect(config.passwordMinLength).toBe(15);
    expect(config.trustProxy).toBe(false);
    expect(config.workers).toBe(1);
  });

  test("production without keys or PUBLIC_URL names each missing variable", () => {
    const problems = problemsOf({ NODE_ENV: "production" });
    expect(problems.some((p) => p.startsWith("JWT_PRIVATE_KEY"))).toBe(true);
    expect(problems.some((p) => p.startsWith("PUBLIC_URL"))).toBe(true);
    expect(problems.some((p) => p.startsWith("SECRET_KEY"))).toBe(true);
  });

  test("each bad variable gets a one-line reason naming it", () => {
    const problems = problemsOf({
      PORT: "eighty",
      PUBLIC_URL: "ftp://x",
      DATABASE_URL: "postgres://db",
      ACCESS_TOKEN_TTL: "soon",
      TRUST_PROXY: "maybe",
      WORKERS: "0",
      CORS_ORIGINS: "not a url",
      SMTP_URL: "mail.example.com",
      SECRET_KEY: "short",
      RATE_LIMIT_LOGIN_IP_MAX: "-1",
    });
    for (const name of [
      "PORT",
      "PUBLIC_URL",
      "DATABASE_URL",
      "ACCESS_TOKEN_TTL",
      "TRUST_PROXY",
      "WORKERS",
      "CORS_ORIGINS",
      "SMTP_URL",
      "SECRET_KEY",
      "RATE_LIMIT_LOGIN_IP_MAX",
    ]) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
    for (const p of problems) expect(p).not.toContain("\n");
  });

  test("SMTP credentials are not echoed in errors", () => {
    const problems = problemsOf({ SMTP_URL: "http://user:hunter2@mail" });
    expect(problems.join(" ")).not.toContain("hunter2");
  });

  test(":memory: databases are refused (transactions would open a new empty database)", () => {
    expect(problemsOf({ DATABASE_URL: ":memory:" }).some((p) => p.includes("DATABASE_URL"))).toBe(true);
  });

  test("durations accept seconds and unit suffixes", () => {
    expect(parseDuration("600")).toBe(600);
    expect(parseDuration("10m")).toBe(600);
    expect(parseDuration("180d")).toBe(180 * 86400);
    expect(parseDuration("1.5h")).toBeUndefined();
    expect(loadConfig({ SESSION_TTL: "30d", SEAT_IDLE_TIMEOUT: "15m" }).sessionTtl).toBe(30 * 86400);
  });

  test("PUBLIC_URL loses its trailing slash; issuer defaults to it", () => {
    const config = loadConfig({ PUBLIC_URL: "https://auth.example.com/" });
    expect(config.publicUrl).toBe("https://auth.example.com");
    expect(config.jwtIssuer).toBe("https://auth.example.com");
  });

  test("without NODE_ENV a clear development-mode warning is given; with it, none", () => {
    expect(loadConfig({}).warnings.join(" ")).toContain("running in development mode");
    expect(loadConfig({ NODE_ENV: "development" }).warnings).toEqual([]);
  });
});

describe("production refuses weak settings", () => {
  const keys = { JWT_PRIVATE_KEY: "x", SECRET_KEY: "9Jd3kQ0p_Wm2xZr7Lb5Tq1Yv8Nc4Hs6Ge-Af0UiKoPw" };
  const prod = (env: Record<string, string>) => problemsOf({ NODE_ENV: "production", ...keys, ...env });

  test("an http:// PUBLIC_URL is refused unless ALLOW_INSECURE_HTTP=true", () => {
    expect(prod({ PUBLIC_URL: "https://auth.example.com" })).toEqual([]);
    const problems = prod({ PUBLIC_URL: "http://auth.example.com" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toStartWith("PUBLIC_URL");
    expect(problems[0]).toContain("ALLOW_INSECURE_HTTP=true");
    expect(prod({ PUBLIC_URL: "http://127.0.0.1:3000", ALLOW_INSECURE_HTTP: "true" })).toEqual([]);
  });

  test("a zero or hand-made SECRET_KEY is refused, in every mode", () => {
    const https = { PUBLIC_URL: "https://auth.example.com" };
    for (const weak of ["A".repeat(43), "abcdefghabcdefghabcdefghabcdefghabcdefghabc"]) {
      expect(prod({ ...https, SECRET_KEY: weak }).some((p) => p.startsWith("SECRET_KEY"))).toBe(true);
      expect(problemsOf({ SECRET_KEY: weak }).some((p) => p.startsWith("SECRET_KEY"))).toBe(true);
    }
  });

  test("ACCESS_TOKEN_TTL is capped at 1 h and REFRESH_GRACE at 5 min", () => {
    expect(problemsOf({ ACCESS_TOKEN_TTL: "365d" }).some((p) => p.startsWith("ACCESS_TOKEN_TTL"))).toBe(true);
    expect(problemsOf({ REFRESH_GRACE: "3000" }).some((p) => p.startsWith("REFRESH_GRACE"))).toBe(true);
    expect(loadConfig({ ACCESS_TOKEN_TTL: "1h", REFRESH_GRACE: "5m" }).accessTokenTtl).toBe(3600);
  });
});

describe("TRUST_PROXY", () => {
  test("false by default; true is one hop of X-Forwarded-For; a number is that many hops", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "true" }).trustProxy).toEqual({ header: "x-forwarded-for", hops: 1 });
    expect(loadConfig({ TRUST_PROXY: "2" }).trustProxy).toEqual({ header: "x-forwarded-for", hops: 2 });
    expect(loadConfig({ TRUST_PROXY: "1", TRUST_PROXY_HEADER: "X-Real-IP" }).trustProxy).toEqual({
      header: "x-real-ip",
      hops: 1,
    });
  });

  test("an unknown header or hop count is refused", () => {
    expect(problemsOf({ TRUST_PROXY: "true", TRUST_PROXY_HEADER: "x-client" })[0]).toStartWith("TRUST_PROXY_HEADER");
    expect(problemsOf({ TRUST_PROXY: "10" })[0]).toStartWith("TRUST_PROXY");
  });
});
