// Human-readable devices for the sessions list and notice mails ("Safari 17 on iOS · iPhone").
import Bowser from "bowser";

export type DeviceType = "desktop" | "phone" | "tablet" | "other";

// macOS user agents are frozen at 10.15.7 since 2020, so the version says nothing about the Mac.
const FROZEN_MACOS = /^10\.15(\.7)?$/;
// An app's own user agent ("MyApp/1.2 (…)", "curl/8.5"): its product token is all we show of it.
const PRODUCT_TOKEN = /^([A-Za-z][\w.-]{0,39}\/[\w.-]{1,20})(?:\s|$)/;

export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const parsed = Bowser.parse(userAgent);
  const browser = [parsed.browser.name, parsed.browser.version?.split(".")[0]].filter(Boolean).join(" ");
  const os = osName(parsed.os);
  const main = browser && os ? `${browser} on ${os}` : browser || os;
  // Never show the raw header: anyone can send a sentence as their user agent.
  if (!main) return PRODUCT_TOKEN.exec(userAgent)?.[1] ?? "Unknown device";
  const model = parsed.platform.model;
  return model ? `${main} · ${model}` : main;
}

function osName(os: Bowser.Parser.OSDetails): string {
  if (os.name === "macOS" && (!os.version || FROZEN_MACOS.test(os.version))) return "macOS";
  return [os.name, os.versionName ?? os.version?.split(".")[0]].filter(Boolean).join(" ");
}

export function deviceType(userAgent: string | null): DeviceType {
  if (!userAgent) return "other";
  const type = Bowser.parse(userAgent).platform.type;
  if (type === "mobile") return "phone";
  return type === "desktop" || type === "tablet" ? type : "other";
}

export function place(session: { city: string | null; region: string | null; country: string | null }): string | null {
  const parts = [session.city, session.region, session.country].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? parts.join(", ") : null;
}
