// Client addresses: validated with net.isIP and written one canonical way, so "::FFFF:1.2.3.4",
// "1.2.3.4" and "1.2.3.4:5678" are one address and "<b>x</b>" is none. Rate limits bucket IPv6 by
// /64: one subscriber usually holds a whole /64 and could otherwise take a fresh bucket per request.
import { isIP } from "node:net";

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** The canonical form of an IPv4 / IPv6 address (port, brackets and zone dropped), else null. */
export function normalizeIp(value: string | null | undefined): string | null {
  let address = value?.trim() ?? "";
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(address);
  if (bracketed) address = bracketed[1] ?? "";
  else if (/^[\d.]+:\d{1,5}$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  address = address.replace(/%[\w.-]*$/, "");
  const mapped = MAPPED_V4.exec(address);
  if (mapped) address = mapped[1] ?? "";
  switch (isIP(address)) {
    case 4:
      return address;
    case 6:
      return new URL(`http://[${address}]`).hostname.slice(1, -1);
    default:
      return null;
  }
}

/** The rate-limit bucket of an address: an IPv4 address itself, an IPv6 address's /64. */
export function rateLimitBucket(ip: string | null): string {
  if (!ip) return "-";
  if (isIP(ip) !== 6) return ip;
  return `${expandIpv6(ip).slice(0, 4).join(":")}::/64`;
}

/** The eight hextets of a canonical IPv6 address. */
function expandIpv6(ip: string): string[] {
  const [head = "", tail] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right];
}
