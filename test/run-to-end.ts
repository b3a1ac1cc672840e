// Runs a command to its end and returns its exit code and output. The output goes to temp files,
// not pipes: under a loaded test runner Bun occasionally hands back an empty or cut pipe from a
// child that wrote and exited normally (oven-sh/bun#24690), which made CLI tests flaky in CI.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runToEnd(cmd: string[], options: { cwd?: string; env?: Record<string, string | undefined> }) {
  const dir = mkdtempSync(join(tmpdir(), "seatkey-run-"));
  const out = join(dir, "stdout");
  const err = join(dir, "stderr");
  try {
    const child = Bun.spawn(cmd, {
      cwd: options.cwd,
      env: options.env,
      stdin: "ignore",
      stdout: Bun.file(out),
      stderr: Bun.file(err),
    });
    const code = await child.exited;
    return { code, stdout: readFileSync(out, "utf8"), stderr: readFileSync(err, "utf8") } satisfies Finished;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
