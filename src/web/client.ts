// Who is calling: IP address, user agent and — only from a trusted proxy — geo headers.
// Forwarded headers are believed only when TRUST_PROXY is set; otherwise anyone could spoof them.
import type { ClientInfo } from "../lib/client-info";

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

export function clientIp(request: Request, server: IpSource | null | undefined, trustProxy: boolean): string | null {
  if (trustProxy) {
    // The last entry is the one our (single, trusted) proxy added: the address it saw. Earlier
    // entries come from the client and could be anything, so they are never believed.
    const forwarded = request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded.slice(0, 64);
    const real = request.headers.get("x-real-ip")?.trim();
    if (real) return real.slice(0, 64);
  }
  return server?.requestIP?.(request)?.address ?? null;
}

export function clientInfo(request: Request, server: IpSource | null | undefined, trustProxy: boolean): ClientInfo {
  const geo = (names: string[]) => (trustProxy ? header(request, names) : null);
  return {
    ip: clientIp(request, server, trustProxy),
    userAgent: request.headers.get("user-agent")?.slice(0, MAX_HEADER) ?? null,
    country: geo(["cf-ipcountry", "x-vercel-ip-country", "x-country"]),
    city: geo(["cf-ipcity", "x-vercel-ip-city", "x-city"]),
    region: geo(["cf-region", "x-vercel-ip-country-region", "x-region"]),
  };
}
