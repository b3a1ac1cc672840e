// `bun run admin …` as an operator runs it: a child process on the test's database and keys, no
// terminal (stdin closed), stdout and stderr captured.
import type { Deps } from "../src/deps";
import { runToEnd } from "./run-to-end";

const ROOT = new URL("..", import.meta.url).pathname;

export interface AdminRun {
  code: number;
  stdout: string;
  stderr: string;
  json<T = Record<string, unknown>>(): T;
}

export async function runAdmin(deps: Deps, args: string[]): Promise<AdminRun> {
  const c = deps.config;
  const { code, stdout, stderr } = await runToEnd([process.execPath, "scripts/admin.ts", ...args], {
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
  });
  const json = <T>(): T => {
    try {
      return JSON.parse(stdout) as T;
    } catch {
      throw new Error(`admin ${args.join(" ")} printed no JSON (exit ${code}):\n${stdout}\n${stderr}`);
    }
  };
  return { code, stdout, stderr, json };
}
