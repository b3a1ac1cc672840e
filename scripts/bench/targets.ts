// The targets, checked against a run (WORKERS=1 decides; WORKERS=2 is shown alongside).
import { type Check, type Report, type Row, sizeLabel } from "./report";

const pct = (n: number) => `${(n * 100).toFixed(n < 0.1 ? 1 : 0)} %`;

function rowsOf(report: Report, workload: string, workers = 1): Row[] {
  return report.rows.filter((r) => r.workload === workload && r.workers === workers && r.load);
}

/** "value at each size", pass when every one passes. */
function perSize(rows: Row[], value: (r: Row) => number, ok: (v: number) => boolean, show: (v: number) => string) {
  if (rows.length === 0) return { result: "not measured", pass: undefined };
  const values = rows.map((r) => ({ size: r.size, v: value(r) }));
  return {
    result: values.map(({ size, v }) => `${show(v)} at ${sizeLabel(size)}`).join(", "),
    pass: values.every(({ v }) => ok(v)),
  };
}

function growth(report: Report, workload: string): Check {
  const rows = rowsOf(report, workload).sort((a, b) => a.size - b.size);
  const [small, large] = [rows[0], rows[rows.length - 1]];
  const target = `${workload} req/s at the largest size ≥ 90 % of the smallest`;
  if (!small?.load || !large?.load || small === large) return { target, result: "needs two sizes", pass: undefined };
  const ratio = large.load.rps / small.load.rps;
  return {
    target,
    result: `${large.load.rps.toFixed(0)} at ${sizeLabel(large.size)} vs ${small.load.rps.toFixed(0)} at ${sizeLabel(small.size)} = ${pct(ratio)}`,
    pass: ratio >= 0.9,
  };
}

function loginPerCore(report: Report): Check {
  const target = "login ≥ 40/s per core (19 MiB, 2 iterations)";
  const rows = rowsOf(report, "login");
  if (rows.length === 0) return { target, result: "not measured", pass: undefined };
  const perCore = rows.map((r) => ({ r, v: (r.load?.rps ?? 0) / Math.max(1, r.serverCpu ?? 1) }));
  return {
    target,
    result: perCore
      .map(
        ({ r, v }) =>
          `${(r.load?.rps ?? 0).toFixed(0)}/s on ${(r.serverCpu ?? 0).toFixed(2)} cores = ${v.toFixed(0)}/s per core at ${sizeLabel(r.size)}`,
      )
      .join("; "),
    pass: perCore.every(({ v }) => v >= 40),
  };
}

function peakRss(report: Report): Check {
  const largest = Math.max(...report.rows.map((r) => r.size));
  const at = (workers: number) =>
    report.rows.filter((r) => r.size === largest && r.workers === workers && r.peakRssMb !== undefined);
  const peak = (rows: Row[], field: "peakRssMb" | "peakAnonMb") => Math.max(0, ...rows.map((r) => r[field] ?? 0));
  const [one, two] = [at(1), at(2)];
  const worst = one.reduce<Row | undefined>((w, r) => ((r.peakRssMb ?? 0) > (w?.peakRssMb ?? 0) ? r : w), undefined);
  const twoText = two.length ? `; WORKERS=2: ${peak(two, "peakRssMb").toFixed(0)} MB for all its processes` : "";
  return {
    target: `server RSS ≤ 150 MB at ${sizeLabel(largest)} sessions under load`,
    result: one.length
      ? `peak ${peak(one, "peakRssMb").toFixed(0)} MB (${worst?.workload}), private ${peak(one, "peakAnonMb").toFixed(0)} MB (WORKERS=1)${twoText}`
      : "not measured",
    pass: one.length ? peak(one, "peakRssMb") <= 150 : undefined,
  };
}

export function checkTargets(report: Report): Check[] {
  const ratio = (r: Row) => r.ratio ?? 0;
  const p99 = (r: Row) => r.load?.p99 ?? Infinity;
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return [
    { target: "refresh ≥ 60 % of the DB ceiling", ...perSize(rowsOf(report, "refresh"), ratio, (v) => v >= 0.6, pct) },
    { target: "refresh p99 ≤ 20 ms", ...perSize(rowsOf(report, "refresh"), p99, (v) => v <= 20, ms) },
    { target: "GET /api/auth/me ≥ 10 % of hello", ...perSize(rowsOf(report, "me"), ratio, (v) => v >= 0.1, pct) },
    { target: "JWKS ≥ 80 % of hello", ...perSize(rowsOf(report, "jwks"), ratio, (v) => v >= 0.8, pct) },
    growth(report, "refresh"),
    growth(report, "me"),
    growth(report, "login"),
    loginPerCore(report),
    {
      target: "refresh p99 ≤ 50 ms while a login flood runs",
      ...perSize(rowsOf(report, "refresh during login flood"), p99, (v) => v <= 50, ms),
    },
    peakRss(report),
  ];
}
