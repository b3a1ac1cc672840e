// The real entry point as a child process: nothing configured in development, refusal in production.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./helpers";
import { spawnServer, startServer } from "./process-helpers";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const root = join(import.meta.dir, "..");

function run(args: string[], env: Record<string, string>) {
  return Bun.spawn([process.execPath, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
}

describe("start-up", () => {
  test("with nothing configured, development serves /health and the JWKS, creating a key once", async () => {
    const keyFile = join(dir, "dev-keys.json");
    const server = await startServer({ DATABASE_URL: `file:${join(dir, "dev.db")}`, DEV_KEY_FILE: keyFile });
    try {
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
      expect(jwks.keys).toHaveLength(1);
      expect(existsSync(keyFile)).toBe(true);
      const saved = JSON.parse(readFileSync(keyFile, "utf8")) as { privateKey: string };
      expect(saved.privateKey.length).toBeGreaterThan(40);
      expect(server.output()).toContain("running in development mode");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  test("development says what it did: database created, key generated (where), mail to the console, next step", async () => {
    const keyFile = join(dir, "report-keys.json");
    const server = await startServer({ DATABASE_URL: `file:${join(dir, "report.db")}`, DEV_KEY_FILE: keyFile });
    try {
      await server.waitForOutput(/running in development mode/, 5000);
      const out = server.output();
      expect(out).toContain("report.db — created and migrated");
      expect(out).toContain(`generated a signing key in ${keyFile}`);
      expect(out).toContain("printed here in the console");
      expect(out).toMatch(/\/account\n/);
      expect(out).toContain("npm run create-admin -- ");
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  test("a database that cannot be opened fails in one line naming DATABASE_URL and the cause", async () => {
    for (const [url, cause] of [
      [`file:${join(dir, "no-such-dir", "x.db")}`, "directory does not exist"],
      ["http://127.0.0.1:9", "did not answer"],
    ] as const) {
      // NODE_ENV set: without it the one extra line is the development-mode warning.
      const env = { NODE_ENV: "development", DATABASE_URL: url, DEV_KEY_FILE: join(dir, "k2.json") };
      const child = run(["src/index.ts"], env);
      expect(await child.exited).toBe(1);
      const said = (await new Response(child.stderr).text()).trim();
      expect(said.split("\n")).toHaveLength(1);
      expect(said).toStartWith(`seatkey: DATABASE_URL=${url}: `);
      expect(said).toContain(cause);
    }
  });

  test("production without keys exits non-zero naming JWT_PRIVATE_KEY", async () => {
    const child = spawnServer({
      NODE_ENV: "production",
      PUBLIC_URL: "https://auth.example.com",
      DATABASE_URL: `file:${join(dir, "prod.db")}`,
    });
    expect(await child.proc.exited).not.toBe(0);
    await child.waitForOutput(/JWT_PRIVATE_KEY/, 2000);
  });

  test("keys generate → init → rotate keeps the previous public key published", async () => {
    const envFile = join(dir, "keys.env");
    const generated = run(["scripts/keys.ts", "generate"], {});
    const out = await new Response(generated.stdout).text();
    expect(await generated.exited).toBe(0);
    expect(out).toMatch(/^JWT_PRIVATE_KEY=\S{100,}$/m);
    expect(out).toMatch(/^SECRET_KEY=[A-Za-z0-9_-]{43}$/m);

    expect(await run(["scripts/keys.ts", "init"], { ENV_FILE: envFile }).exited).toBe(0);
    const first = readFileSync(envFile, "utf8");
    expect(await run(["scripts/keys.ts", "init"], { ENV_FILE: envFile }).exited).not.toBe(0);
    expect(await run(["scripts/keys.ts", "rotate"], { ENV_FILE: envFile }).exited).toBe(0);
    const second = readFileSync(envFile, "utf8");
    const line = (text: string, name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(text)?.[1] ?? "";
    expect(line(second, "JWT_PRIVATE_KEY")).not.toBe(line(first, "JWT_PRIVATE_KEY"));
    expect(line(second, "SECRET_KEY")).toBe(line(first, "SECRET_KEY"));

    // Start production with the rotated file: both kids are published, the private part never.
    const server = await startServer({
      NODE_ENV: "production",
      PUBLIC_URL: "https://auth.example.com",
      DATABASE_URL: `file:${join(dir, "rot.db")}`,
      JWT_PRIVATE_KEY: line(second, "JWT_PRIVATE_KEY"),
      JWT_PUBLIC_KEYS: line(second, "JWT_PUBLIC_KEYS"),
      SECRET_KEY: line(second, "SECRET_KEY"),
    });
    try {
      const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
        keys: Record<string, string>[];
      };
      expect(jwks.keys).toHaveLength(2);
      expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    } finally {
      await server.stop();
    }
  });

  test("scripts print a usage line on bad arguments", async () => {
    const keys = run(["scripts/keys.ts", "explode"], {});
    expect(await keys.exited).toBe(2);
    expect(await new Response(keys.stderr).text()).toContain("usage: bun run keys");
    const admin = run(["scripts/create-admin.ts"], {
      DATABASE_URL: `file:${join(dir, "adm.db")}`,
      DEV_KEY_FILE: join(dir, "k.json"),
    });
    expect(await admin.exited).toBe(2);
    expect(await new Response(admin.stderr).text()).toContain("usage: bun run create-admin");
  });

  test("create-admin makes an ADMIN with no password and prints a one-time link", async () => {
    const env = { DATABASE_URL: `file:${join(dir, "adm.db")}`, DEV_KEY_FILE: join(dir, "k.json") };
    const child = run(["scripts/create-admin.ts", "Boss@Example.com", "The Boss"], env);
    const out = await new Response(child.stdout).text();
    expect(await child.exited).toBe(0);
    expect(out).toMatch(/http:\/\/localhost:3000\/create-password\?token=[A-Za-z0-9_-]{43}/);
    const again = run(["scripts/create-admin.ts", "boss@example.com", "Twin"], env);
    expect(await again.exited).toBe(1);
    const said = await new Response(again.stderr).text();
    expect(said).toContain("already exists");
    expect(said).toContain("http://localhost:3000/reset-password");
  });
});
