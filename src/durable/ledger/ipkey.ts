import { type Cidr, cidrBounds, parseCidr, parseIp } from "../../core/ip";

/**
 * The address bounds the Ledger stores with `Ip` and `Range` decisions and allowlist
 * entries: CrowdSec's `ip_size` (4 or 16) and the first and last address as fixed-width
 * lowercase hex (8 digits for IPv4, 32 for IPv6), so SQLite's text comparison is the
 * numeric one and a CIDR filter is an index range scan.
 */
export interface IpKey {
  size: 4 | 16;
  start: string;
  end: string;
}

function ipKeyOfCidr(cidr: Cidr): IpKey {
  const b = cidrBounds(cidr);
  const width = cidr.version === 4 ? 8 : 32;
  return {
    size: cidr.version === 4 ? 4 : 16,
    start: b.first.toString(16).padStart(width, "0"),
    end: b.last.toString(16).padStart(width, "0"),
  };
}

/** The bounds of an IP or CIDR text, or null when it is neither. */
export function ipKeyOfText(text: string): IpKey | null {
  const cidr = parseCidr(text);
  return cidr ? ipKeyOfCidr(cidr) : null;
}

/** The bounds of a decision: `Ip` (an address) and `Range` (a CIDR) scopes only. */
export function ipKeyOfDecision(scope: string, value: string): IpKey | null {
  const s = scope.toLowerCase();
  if (s === "ip") return parseIp(value) ? ipKeyOfText(value) : null;
  if (s === "range") return ipKeyOfText(value);
  return null;
}
