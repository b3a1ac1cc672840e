// Who is calling: IP address, user agent and — only from a trusted proxy — geo headers.
// Forwarded headers are believed only when TRUST_PROXY is set; otherwise anyone could spoof them.
// Then only the one configured header is read (README "Behind a proxy"), never a fallback a client
// could send instead, and only a valid address is kept.
import type { ProxyTrust } from "../config";
import type { ClientInfo } from "../lib/client-info";
import { normalizeIp } from "../lib/ip";

interface IpSource {
  requestIP?(request: Request): { address: string } | null;
}

const MAX_HEADER = 512;

function header(request: Request, names: string[]): string | null {
  for (const name of names) {
    const value = request.headers.get(name)?.trim();
    if (value) return decodeSafe(value).slice(0, MAX_HEADER);
  }
  return null;
}

function decodeSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function clientIp(
  request: Request,
  server: IpSource | null | undefined,
  proxy: ProxyTrust | false,
): string | null {
  if (proxy) {
    const value = request.headers.get(proxy.header);
    // X-Forwarded-For: each proxy appends the address that connected to it, so the hops-th entry from
    // the right was added by the outermost of our proxies. Entries left of it come from the client.
    const address = normalizeIp(proxy.header === "x-forwarded-for" ? value?.split(",").at(-proxy.hops) : value);
    if (address) return address;
  }
  return normalizeIp(server?.requestIP?.(request)?.address);
}

export function clientInfo(
  request: Request,
  server: IpSource | null | undefined,
  proxy: ProxyTrust | false,
): ClientInfo {
  const geo = (names: string[]) => (proxy ? header(request, names) : null);
  return {
    ip: clientIp(request, server, proxy),
    userAgent: request.headers.get("user-agent")?.slice(0, MAX_HEADER) ?? null,
    country: geo(["cf-ipcountry", "x-vercel-ip-country", "x-country"]),
    city: geo(["cf-ipcity", "x-vercel-ip-city", "x-city"]),
    region: geo(["cf-region", "x-vercel-ip-country-region", "x-region"]),
  };
}
