import { formatIpv4, formatIpv6, INVALID, parseAddress, prefixBounds, V4, V6 } from "./address";

/** The scopes the edge can enforce: the visitor's address, or `request.cf` country / ASN. */
export type EdgeScope = "Ip" | "Range" | "Country" | "AS";

const SCOPES: Readonly<Record<string, EdgeScope>> = {
  ip: "Ip",
  range: "Range",
  country: "Country",
  as: "AS",
};

/** CrowdSec's scope names, matched case-insensitively as cscli does (`--scope ip` is `Ip`). */
export function canonicalScope(scope: string): EdgeScope | undefined {
  return SCOPES[scope.toLowerCase()];
}

/**
 * The snapshot's tables, in their order in the binary format. Each entry lives in
 * exactly one, keyed by 32-bit words (see `entryKey`).
 */
export const TABLE = { ip4: 0, ip6: 1, range4: 2, range6: 3, country: 4, asn: 5 } as const;
export const TABLE_COUNT = 6;
/** Key words per entry of each table. */
export const KEY_WORDS: readonly number[] = [1, 4, 2, 8, 1, 1];
export const TABLE_SCOPE: readonly EdgeScope[] = ["Ip", "Ip", "Range", "Range", "Country", "AS"];

const addr = new Uint32Array(4);
const lo = new Uint32Array(4);
const hi = new Uint32Array(4);

/**
 * The table of an entry and its key words in `out` (8 words): an IPv4 address or country
 * or ASN in out[0]; an IPv6 address in out[0..3]; an IPv4 range's first and last address
 * in out[0], out[1]; an IPv6 range's in out[0..3], out[4..7]. -1 when the edge cannot
 * match the entry.
 */
export function entryKey(scope: string, value: string, out: Uint32Array): number {
  const v = value.trim();
  switch (canonicalScope(scope)) {
    case "Ip": {
      const kind = parseAddress(v, out);
      return kind === V4 ? TABLE.ip4 : kind === V6 ? TABLE.ip6 : -1;
    }
    case "Range":
      return rangeKey(v, out);
    case "Country":
      return countryKey(v, out);
    case "AS": {
      const m = /^(?:AS)?(\d{1,10})$/i.exec(v);
      const n = m ? Number(m[1]) : Number.NaN;
      if (!(n <= 0xffffffff)) return -1;
      out[0] = n;
      return TABLE.asn;
    }
    default:
      return -1;
  }
}

function rangeKey(v: string, out: Uint32Array): number {
  const slash = v.indexOf("/");
  const kind = parseAddress(slash < 0 ? v : v.slice(0, slash), addr);
  if (kind === INVALID) return -1;
  const max = kind === V4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = v.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return -1;
    prefix = Number(p);
    // A v4-mapped range like ::ffff:10.0.0.0/104 is the IPv4 range /8, as in ../ip.ts.
    if (kind === V4 && v.lastIndexOf(":", slash) >= 0) prefix -= 96;
    if (prefix < 0 || prefix > max) return -1;
  }
  if (kind === V4) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    const a = addr[0] as number;
    out[0] = (a & mask) >>> 0;
    out[1] = (a | ~mask) >>> 0;
    return TABLE.range4;
  }
  prefixBounds(addr, prefix, lo, hi);
  out.set(lo, 0);
  out.set(hi, 4);
  return TABLE.range6;
}

function countryKey(v: string, out: Uint32Array): number {
  if (v.length !== 2) return -1;
  const a = upperAlnum(v.charCodeAt(0));
  const b = upperAlnum(v.charCodeAt(1));
  if (a < 0 || b < 0) return -1;
  out[0] = (a << 8) | b;
  return TABLE.country;
}

/** An ASCII letter (upper-cased) or digit's code, or -1. */
export function upperAlnum(c: number): number {
  if (c >= 97 && c <= 122) return c - 32;
  return (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ? c : -1;
}

/**
 * The canonical text of a key from `words` at `at`; a range's last address is read from
 * `ends` at `endAt` (by default where `entryKey` writes it).
 */
export function formatKey(
  table: number,
  words: Uint32Array,
  at: number,
  ends: Uint32Array = words,
  endAt = at + (table === TABLE.range4 ? 1 : 4),
): string {
  switch (table) {
    case TABLE.ip4:
      return formatIpv4(words[at] as number);
    case TABLE.ip6:
      return formatIpv6(words, at);
    case TABLE.range4: {
      const size = (ends[endAt] as number) - (words[at] as number) + 1;
      return `${formatIpv4(words[at] as number)}/${32 - Math.log2(size)}`;
    }
    case TABLE.range6:
      return `${formatIpv6(words, at)}/${commonPrefix(words, at, ends, endAt)}`;
    case TABLE.country: {
      const k = words[at] as number;
      return String.fromCharCode(k >>> 8, k & 255);
    }
    default:
      return String(words[at]);
  }
}

/** Leading bits the first and last address of a range share: its prefix length. */
function commonPrefix(words: Uint32Array, a: number, ends: Uint32Array, b: number): number {
  for (let k = 0; k < 4; k++) {
    const x = ((words[a + k] as number) ^ (ends[b + k] as number)) >>> 0;
    if (x !== 0) return k * 32 + Math.clz32(x);
  }
  return 128;
}

const key = new Uint32Array(8);

/**
 * The canonical value of a decision for its scope, or undefined when the edge cannot
 * match it (unknown scope, or a value that is not one of that scope). `Ip`: IPv4 dotted
 * or IPv6 compressed (RFC 5952), IPv4-mapped IPv6 as IPv4; with `ipv6Prefix`, an IPv6
 * address becomes the first address of its /ipv6Prefix, so every address of one prefix
 * yields one value (the edge matches an IPv6 `Ip` entry over that prefix anyway).
 * `Range`: network/prefix (`10.1.2.3/8` → `10.0.0.0/8`, a bare IP → /32 or /128).
 * `Country`: two letters or digits upper-case (Cloudflare's `T1` for Tor included).
 * `AS`: decimal, an `AS` prefix and leading zeros dropped.
 */
export function canonicalEntryValue(
  scope: string,
  value: string,
  ipv6Prefix?: number,
): string | undefined {
  const table = entryKey(scope, value, key);
  if (table < 0) return undefined;
  if (table === TABLE.ip6 && ipv6Prefix !== undefined) {
    if (!Number.isInteger(ipv6Prefix) || ipv6Prefix < 0 || ipv6Prefix > 128) {
      throw new RangeError(`ipv6Prefix must be an integer 0..128, got ${ipv6Prefix}`);
    }
    prefixBounds(key, ipv6Prefix, lo, hi);
    return formatIpv6(lo, 0);
  }
  return formatKey(table, key, 0);
}
