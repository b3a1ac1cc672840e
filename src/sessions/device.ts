// Human-readable device and time for the sessions list ("Safari 17 on iOS · iPhone", "3 minutes ago").
import Bowser from "bowser";

export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const parsed = Bowser.parse(userAgent);
  const browser = [parsed.browser.name, parsed.browser.version?.split(".")[0]].filter(Boolean).join(" ");
  const os = [parsed.os.name, parsed.os.versionName ?? parsed.os.version?.split(".")[0]].filter(Boolean).join(" ");
  const model = parsed.platform.model ?? parsed.platform.vendor;
  const main = browser && os ? `${browser} on ${os}` : browser || os;
  if (!main) return userAgent.slice(0, 60); // an app's own user agent: show it as sent
  return model ? `${main} · ${model}` : main;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86400_000],
  ["month", 30 * 86400_000],
  ["week", 7 * 86400_000],
  ["day", 86400_000],
  ["hour", 3600_000],
  ["minute", 60_000],
];
const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

export function timeAgo(then: number, now: number): string {
  const elapsed = now - then;
  if (elapsed < 60_000) return "just now";
  for (const [unit, ms] of UNITS) {
    if (elapsed >= ms) return relative.format(-Math.floor(elapsed / ms), unit);
  }
  return "just now";
}

/** "in 4 minutes", rounded up (the moment has not come before then). */
export function timeUntil(then: number, now: number): string {
  const minutes = Math.max(1, Math.ceil((then - now) / 60_000));
  return minutes < 60 ? relative.format(minutes, "minute") : relative.format(Math.ceil(minutes / 60), "hour");
}

export function place(session: { city: string | null; region: string | null; country: string | null }): string | null {
  const parts = [session.city, session.region, session.country].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? parts.join(", ") : null;
}
