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
});
