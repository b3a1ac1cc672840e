// `bun run admin …` as an operator runs it: a child process on the test's database and keys, no
// terminal (stdin closed), stdout and stderr captured.
import type { Deps } from "../src/deps";

const ROOT = new URL("..", import.meta.url).pathname;

export interface AdminRun {
  code: number;
  stdout: string;
  stderr: string;
  json<T = Record<string, unknown>>(): T;
}

export async function runAdmin(deps: Deps, args: string[]): Promise<AdminRun> {
  const c = deps.config;
  const child = Bun.spawn([process.execPath, "scripts/admin.ts", ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      PUBLIC_URL: c.publicUrl,
      DATABASE_URL: c.databaseUrl,
      SECRET_KEY: c.secretKey,
      JWT_PRIVATE_KEY: c.jwtPrivateKey,
      SMTP_URL: c.smtpUrl,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}
