// Times as people say them: "3 minutes ago" (sessions list), "in 15 minutes" (rate limits, seats).
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86400_000],
  ["month", 30 * 86400_000],
  ["week", 7 * 86400_000],
  ["day", 86400_000],
  ["hour", 3600_000],
  ["minute", 60_000],
];
const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const ahead = new Intl.RelativeTimeFormat("en", { numeric: "always" });

export function timeAgo(then: number, now: number): string {
  const elapsed = now - then;
  if (elapsed < 60_000) return "just now";
  for (const [unit, ms] of UNITS) {
    if (elapsed >= ms) return relative.format(-Math.floor(elapsed / ms), unit);
  }
  return "just now";
}

/** 899 → "in 15 minutes", 3600 → "in 1 hour", 20 → "in 20 seconds": rounded up, never "in 0". */
export function timeUntil(seconds: number): string {
  const ms = Math.max(1, Math.ceil(seconds)) * 1000;
  for (const [unit, size] of UNITS) {
    if (ms >= size) return ahead.format(Math.ceil(ms / size - 0.05), unit);
  }
  return ahead.format(ms / 1000, "second");
}
