// Smoke test of `bun run bench`: a tiny run (few hundred sessions, half-second windows) must
// start seatkey as a real process, drive refresh with chained tokens, me and JWKS without a
// single non-2xx, and write the report. Speed itself is never asserted here.
import { afterAll, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Report } from "../scripts/bench/report";
import { tempDir } from "./helpers";

const out = tempDir("seatkey-bench-smoke-");
afterAll(() => rmSync(out, { recursive: true, force: true }));

test("bench --quick drives refresh (chained rotation), me and JWKS against a real server and reports them", async () => {
  const args = ["--quick", "--sizes=300", "--duration=0.5", "--warmup=0.2", "--only=jwks,me,refresh", `--out=${out}`];
  const run = Bun.spawn([process.execPath, "scripts/bench.ts", ...args], {
    cwd: join(import.meta.dir, ".."),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stderr] = await Promise.all([run.exited, new Response(run.stderr).text()]);
  expect(code, stderr).toBe(0);

  const report = JSON.parse(readFileSync(join(out, "latest-quick.json"), "utf8")) as Report;
  expect(report.rows.map((r) => r.workload).sort()).toEqual(["jwks", "me", "refresh"]);
  for (const row of report.rows) {
    expect(row.load?.requests ?? 0).toBeGreaterThan(0);
    // Every refresh presented the token the previous answer returned: one slip would be a 401.
    expect({ workload: row.workload, failed: (row.load?.non2xx ?? 1) + (row.load?.errors ?? 1) }).toEqual({
      workload: row.workload,
      failed: 0,
    });
    expect(row.peakRssMb ?? 0).toBeGreaterThan(10);
  }
  expect(report.dbCeiling[300]?.rps ?? 0).toBeGreaterThan(0);
  expect(report.checks.find((c) => c.target.startsWith("refresh p99"))?.result).toContain("at 300");
  expect(readFileSync(join(out, "latest-quick.md"), "utf8")).toContain("| refresh | 300 | 1 |");
}, 60_000);
