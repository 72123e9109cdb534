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

/**
 * How many leading bits of an IPv6 address name one source: whoever holds one address of
 * a /64 holds all of it. IPV6_PREFIX and the profiles' `ipv6_prefix` share these bounds.
 */
export const DEFAULT_IPV6_PREFIX = 64;
export const MIN_IPV6_PREFIX = 32;

/** The range of `prefix` bits that contains `ipText` (`IpToRange("1.2.3.4", "/24")` → `1.2.3.0/24`). */
export function ipToRange(ipText: string, prefix: number): string | undefined {
  const ip = parseIp(ipText);
  if (!ip) return undefined;
  const max = ip.kind() === "ipv4" ? 32 : 128;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return `${networkOf(ip, prefix).toString()}/${prefix}`;
}

export function isIp(text: string): boolean {
  return parseIp(text) !== undefined;
}

/** Canonical CIDR text (`10.1.2.3/8` → `10.0.0.0/8`, a bare IP → `/32` or `/128`), or undefined. */
export function normalizeCidr(text: string): string | undefined {
  return parseCidr(text)?.text;
}

/** An address as an unsigned integer: 32 bits for IPv4, 128 for IPv6. */
export function addrToBigInt(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  if (addr.kind() === "ipv4") {
    const o = (addr as ipaddr.IPv4).octets;
    const n = (o[0] as number) * 16_777_216 + (o[1] as number) * 65_536 + (o[2] as number) * 256;
    return BigInt(n + (o[3] as number));
  }
  let n = 0n;
  for (const part of (addr as ipaddr.IPv6).parts) n = (n << 16n) | BigInt(part);
  return n;
}

/** The first and last address of a network, as integers of its version. */
export interface IpBounds {
  version: IpVersion;
  first: bigint;
  last: bigint;
}

export function cidrBounds(cidr: Cidr): IpBounds {
  const bits = cidr.version === 4 ? 32n : 128n;
  const first = addrToBigInt(cidr.addr);
  const size = 1n << (bits - BigInt(cidr.prefix));
  return { version: cidr.version, first, last: first + size - 1n };
}

interface RangeTable<T> {
  first: bigint[];
  last: bigint[];
  /** Index of the nearest entry enclosing entry i, or -1. */
  parent: Int32Array;
  values: T[];
}

interface IndexedRange<T> {
  first: bigint;
  last: bigint;
  value: T;
}

/**
 * A set of networks with a value each, answering "which entry contains this IP" in
 * O(log n): networks sorted by first address, each knowing its nearest enclosing network.
 * CIDR blocks never partly overlap (they nest or are disjoint), which is what makes a
 * binary search plus a walk up the enclosing chain exact.
 */
export class IpRangeIndex<T> {
  private readonly v4: RangeTable<T>;
  private readonly v6: RangeTable<T>;

  constructor(entries: Iterable<{ cidr: Cidr; value: T }>) {
    const v4: IndexedRange<T>[] = [];
    const v6: IndexedRange<T>[] = [];
    for (const { cidr, value } of entries) {
      const b = cidrBounds(cidr);
      (b.version === 4 ? v4 : v6).push({ first: b.first, last: b.last, value });
    }
    this.v4 = buildTable(v4);
    this.v6 = buildTable(v6);
  }

  /** Number of distinct networks (a network listed twice keeps its first value). */
  get size(): number {
    return this.v4.values.length + this.v6.values.length;
  }

  /** The value of the most specific network containing the IP, or undefined. */
  lookup(ipText: string): T | undefined {
    const addr = parseIp(ipText);
    return addr ? this.lookupAddr(addr) : undefined;
  }

  lookupAddr(addr: ipaddr.IPv4 | ipaddr.IPv6): T | undefined {
    const table = addr.kind() === "ipv4" ? this.v4 : this.v6;
    const x = addrToBigInt(addr);
    let i = lastStartingAtOrBefore(table, x);
    while (i >= 0 && (table.last[i] as bigint) < x) i = table.parent[i] as number;
    return i >= 0 ? table.values[i] : undefined;
  }

  /** The value of some network sharing an address with `cidr` (the most specific one found), or undefined. */
  overlapping(cidr: Cidr): T | undefined {
    const table = cidr.version === 4 ? this.v4 : this.v6;
    const { first, last } = cidrBounds(cidr);
    let i = lastStartingAtOrBefore(table, last);
    while (i >= 0 && (table.last[i] as bigint) < first) i = table.parent[i] as number;
    return i >= 0 ? table.values[i] : undefined;
  }
}

function buildTable<T>(ranges: IndexedRange<T>[]): RangeTable<T> {
  // Wider first on equal starts, so an enclosing network always precedes what it encloses.
  ranges.sort((a, b) => (a.first !== b.first ? cmp(a.first, b.first) : cmp(b.last, a.last)));
  const table: RangeTable<T> = {
    first: [],
    last: [],
    parent: new Int32Array(ranges.length),
    values: [],
  };
  const open: number[] = [];
  for (const r of ranges) {
    const n = table.values.length;
    if (n > 0 && table.first[n - 1] === r.first && table.last[n - 1] === r.last) continue;
    while (open.length > 0 && (table.last[open[open.length - 1] as number] as bigint) < r.first)
      open.pop();
    table.parent[n] = open.length > 0 ? (open[open.length - 1] as number) : -1;
    table.first.push(r.first);
    table.last.push(r.last);
    table.values.push(r.value);
    open.push(n);
  }
  return table;
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function lastStartingAtOrBefore<T>(table: RangeTable<T>, x: bigint): number {
  let lo = 0;
  let hi = table.first.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((table.first[mid] as bigint) <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
