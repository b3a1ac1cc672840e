// The performance targets (README, Performance), checked against a run: throughput ratios against
// Better Auth from one side-by-side run of the peer benchmark (--peers), the rest from this run
// (WORKERS=1 unless a target says otherwise).
import type { PeerRun } from "./peers";
import { type Check, type Report, type Row, sizeLabel } from "./report";

const pct = (n: number) => `${(n * 100).toFixed(n < 0.1 ? 1 : 0)} %`;
const times = (n: number) => `${n.toFixed(2)}×`;
const ms = (v: number) => `${v.toFixed(1)} ms`;

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

/** `workload` at WORKERS=2 against WORKERS=1, size by size. */
function scaling(report: Report, workload: string, factor: number): Check {
  const target = `${workload} at WORKERS=2 ≥ ${factor === 1 ? "the" : `${factor}× the`} WORKERS=1 figure`;
  const pairs = rowsOf(report, workload, 2).flatMap((two) => {
    const one = rowsOf(report, workload, 1).find((r) => r.size === two.size);
    return one?.load && two.load ? [{ size: two.size, one: one.load.rps, two: two.load.rps }] : [];
  });
  if (pairs.length === 0) return { target, result: "needs WORKERS=1 and 2", pass: undefined };
  return {
    target,
    result: pairs
      .map((p) => `${p.two.toFixed(0)} vs ${p.one.toFixed(0)} = ${times(p.two / p.one)} at ${sizeLabel(p.size)}`)
      .join(", "),
    pass: pairs.every((p) => p.two >= factor * p.one),
  };
}

/** A ratio inside the peer run: `ours` req/s against `theirs`. */
function peerRatio(peers: PeerRun | undefined, ours: string, theirs: string, factor: number, label: string): Check {
  const target = `${label} (peer run: ${ours} / ${theirs})`;
  const [a, b] = [peers?.rows[ours], peers?.rows[theirs]];
  if (!peers) return { target, result: "needs --peers=<run-peers.sh output>", pass: undefined };
  if (!a || !b) return { target, result: `${ours} or ${theirs} missing from ${peers.file}`, pass: undefined };
  if (!(b.rps > 0)) return { target, result: `${theirs} completed no request in that run: no ratio`, pass: undefined };
  const ratio = a.rps / b.rps;
  const shown = factor < 1 ? pct(ratio) : times(ratio);
  return { target, result: `${a.rps.toFixed(0)} / ${b.rps.toFixed(0)} = ${shown}`, pass: ratio >= factor };
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
    target: `peak RSS of one serving process ≤ 150 MB at ${sizeLabel(largest)} sessions under load`,
    result: one.length
      ? `peak ${peak(one, "peakRssMb").toFixed(0)} MB (${worst?.workload}), private ${peak(one, "peakAnonMb").toFixed(0)} MB (WORKERS=1)${twoText}`
      : "not measured",
    pass: one.length ? peak(one, "peakRssMb") <= 150 : undefined,
  };
}

export function checkTargets(report: Report, peers?: PeerRun): Check[] {
  const p99 = (r: Row) => r.load?.p99 ?? Infinity;
  const ratio = (r: Row) => r.ratio ?? 0;
  return [
    peerRatio(peers, "sk-me", "ba-get-session", 5, "me ≥ 5× Better Auth get-session"),
    { target: "me p99 ≤ 5 ms", ...perSize(rowsOf(report, "me"), p99, (v) => v <= 5, ms) },
    peerRatio(peers, "sk-refresh", "ba-get-session", 2.5, "refresh ≥ 2.5× Better Auth get-session"),
    { target: "refresh p99 ≤ 15 ms", ...perSize(rowsOf(report, "refresh"), p99, (v) => v <= 15, ms) },
    scaling(report, "refresh", 1),
    { target: "refresh p99 ≤ 25 ms at WORKERS=2", ...perSize(rowsOf(report, "refresh", 2), p99, (v) => v <= 25, ms) },
    scaling(report, "me", 1.6),
    peerRatio(peers, "sk-jwks", "hello", 0.8, "JWKS ≥ 80 % of hello"),
    { target: "JWKS ≥ 80 % of hello (this run)", ...perSize(rowsOf(report, "jwks"), ratio, (v) => v >= 0.8, pct) },
    peerRatio(peers, "sk-login", "ba-sign-in", 4, "login ≥ 4× Better Auth sign-in (Argon2id 19 MiB, t=2)"),
    peakRss(report),
  ];
}
