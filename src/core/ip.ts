import ipaddr from "ipaddr.js";

/**
 * IP addresses and ranges. IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) are treated as
 * the IPv4 address everywhere, so one attacker never has two identities.
 */

export type IpVersion = 4 | 6;

export interface Cidr {
  version: IpVersion;
  /** Canonical text of the network address and prefix: `10.0.0.0/8`, `2001:db8::/64`. */
  text: string;
  addr: ipaddr.IPv4 | ipaddr.IPv6;
  prefix: number;
}

function toCanonical(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (addr as ipaddr.IPv6).toIPv4Address();
  }
  return addr;
}

/** Parses an IP, returning the canonical address or undefined for anything that is not one. */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const t = text.trim();
  if (!ipaddr.isValid(t)) return undefined;
  // ipaddr.js accepts IPv4 shorthands like "10" or "0x7f.1"; only dotted quads are real IPs in logs.
  if (!t.includes(":") && !ipaddr.IPv4.isValidFourPartDecimal(t)) return undefined;
  return toCanonical(ipaddr.parse(t));
}

/** The canonical text of an IP (`::ffff:1.2.3.4` → `1.2.3.4`, IPv6 compressed), or undefined. */
export function normalizeIp(text: string): string | undefined {
  return parseIp(text)?.toString();
}

export function ipVersion(text: string): IpVersion | undefined {
  const a = parseIp(text);
  return a ? (a.kind() === "ipv4" ? 4 : 6) : undefined;
}

/** Parses `a.b.c.d/n` or `x::/n` (or a bare IP, as a /32 or /128) to its network. */
export function parseCidr(text: string): Cidr | undefined {
  const t = text.trim();
  const slash = t.indexOf("/");
  const ip = parseIp(slash < 0 ? t : t.slice(0, slash));
  if (!ip) return undefined;
  const max = ip.kind() === "ipv4" ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    // A v4-mapped range like ::ffff:10.0.0.0/104 is the IPv4 range /8.
    if (max === 32 && t.slice(0, slash).includes(":")) prefix -= 96;
    if (prefix < 0 || prefix > max) return undefined;
  }
  const network = networkOf(ip, prefix);
  return {
    version: max === 32 ? 4 : 6,
    text: `${network.toString()}/${prefix}`,
    addr: network,
    prefix,
  };
}

function networkOf(ip: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): ipaddr.IPv4 | ipaddr.IPv6 {
  const bytes = ip.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    bytes[i] = (bytes[i] as number) & ((0xff << (8 - keep)) & 0xff);
  }
  return ipaddr.fromByteArray(bytes) as ipaddr.IPv4 | ipaddr.IPv6;
}

export function cidrContains(cidr: Cidr, ipText: string): boolean {
  const ip = parseIp(ipText);
  if (!ip || (ip.kind() === "ipv4") !== (cidr.version === 4)) return false;
  return ip.match(cidr.addr as never, cidr.prefix);
}

/** The range of `prefix` bits that contains `ipText` (`IpToRange("1.2.3.4", "/24")` → `1.2.3.0/24`). */
export function ipToRange(ipText: string, prefix: number): string | undefined {
  const ip = parseIp(ipText);
  if (!ip) return undefined;
  const max = ip.kind() === "ipv4" ? 32 : 128;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return `${networkOf(ip, prefix).toString()}/${prefix}`;
}
