/**
 * Allocation-free address parsing for the lookup path. An address becomes 32-bit words
 * written into a caller's scratch array: IPv4 as one word, IPv6 as four (most
 * significant first). IPv4-mapped IPv6 (`::ffff:1.2.3.4`, `::ffff:102:304`) comes out as
 * IPv4, as everywhere in Palisade. Accepts what `normalizeIp` in ../ip.ts accepts for the
 * forms a visitor address takes (no zone ids, no surrounding spaces).
 */

export const INVALID = 0;
export const V4 = 4;
export const V6 = 6;
export type AddressKind = typeof INVALID | typeof V4 | typeof V6;

const groups = new Uint16Array(8);
const tail = new Uint32Array(1);

/** Parses `text` into `out` (length ≥ 4). Returns V4 (out[0]), V6 (out[0..3]) or INVALID. */
export function parseAddress(text: string, out: Uint32Array): AddressKind {
  if (text.indexOf(":") < 0) return parseDottedQuad(text, 0, text.length, out) ? V4 : INVALID;
  if (!parseIpv6Groups(text)) return INVALID;
  const w0 = ((groups[0] as number) << 16) | (groups[1] as number);
  const w1 = ((groups[2] as number) << 16) | (groups[3] as number);
  const w2 = ((groups[4] as number) << 16) | (groups[5] as number);
  const w3 = ((groups[6] as number) << 16) | (groups[7] as number);
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) {
    out[0] = w3;
    return V4;
  }
  out[0] = w0;
  out[1] = w1;
  out[2] = w2;
  out[3] = w3;
  return V6;
}

/**
 * `a.b.c.d` in [from, to) into out[0] as an unsigned 32-bit number; false if malformed. No
 * leading zeros, like ipaddr.js. The value goes through the array, not a return value: a
 * u32 above 2^30 returned from a call is boxed (an allocation) in V8 with pointer compression.
 */
function parseDottedQuad(text: string, from: number, to: number, out: Uint32Array): boolean {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i <= to; i++) {
    const c = i < to ? text.charCodeAt(i) : 46;
    if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return false;
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255) return false;
    } else if (c === 46) {
      if (digits === 0) return false;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      if (i < to) dots++;
    } else return false;
  }
  if (dots !== 3) return false;
  out[0] = value;
  return true;
}

/** Fills `groups` from IPv6 text (with `::` and a trailing dotted IPv4). False if malformed. */
function parseIpv6Groups(text: string): boolean {
  const len = text.length;
  let n = 0;
  let gap = -1;
  let i = 0;
  if (len >= 2 && text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
    if (i === len) return fillGap(n, gap);
  }
  while (i < len) {
    const start = i;
    let v = 0;
    while (i < len && i - start < 5) {
      const h = hexValue(text.charCodeAt(i));
      if (h < 0) break;
      v = v * 16 + h;
      i++;
    }
    if (i < len && text.charCodeAt(i) === 46) return tailIpv4(text, start, n, gap);
    if (i === start || i - start > 4 || n >= 8) return false;
    groups[n++] = v;
    if (i === len) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < len && text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
      if (i === len) break;
    } else if (i === len) return false;
  }
  return fillGap(n, gap);
}

function tailIpv4(text: string, start: number, n: number, gap: number): boolean {
  if (n > 6 || !parseDottedQuad(text, start, text.length, tail)) return false;
  const v4 = tail[0] as number;
  // `::1.2.3.4` (RFC 4291's deprecated IPv4-compatible form) is the IPv4 address, as ipaddr.js reads it.
  if (n === 0 && gap === 0) groups[n++] = 0xffff;
  groups[n++] = v4 >>> 16;
  groups[n++] = v4 & 0xffff;
  return fillGap(n, gap);
}

/** Moves the groups after `::` to the end and zero-fills the gap. */
function fillGap(n: number, gap: number): boolean {
  if (gap < 0) return n === 8;
  if (n >= 8) return false;
  const tail = n - gap;
  for (let k = 1; k <= tail; k++) groups[8 - k] = groups[n - k] as number;
  for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Lexicographic comparison of the 4-word address at a[ai..] with b[bi..]. */
export function compareWords(a: Uint32Array, ai: number, b: Uint32Array, bi: number): number {
  for (let k = 0; k < 4; k++) {
    const x = a[ai + k] as number;
    const y = b[bi + k] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Writes the first and last address of the /prefix containing `addr[0..3]`. */
export function prefixBounds(
  addr: Uint32Array,
  prefix: number,
  first: Uint32Array,
  last: Uint32Array,
): void {
  for (let k = 0; k < 4; k++) {
    const keep = Math.max(0, Math.min(32, prefix - k * 32));
    const mask = keep === 0 ? 0 : keep === 32 ? 0xffffffff : (0xffffffff << (32 - keep)) >>> 0;
    const w = addr[k] as number;
    first[k] = (w & mask) >>> 0;
    last[k] = (w | ~mask) >>> 0;
  }
}

export function formatIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** RFC 5952 text of four words: lower-case, the longest run of ≥ 2 zero groups as `::`. */
export function formatIpv6(words: Uint32Array, at: number): string {
  const g: number[] = [];
  for (let k = 0; k < 4; k++) {
    const w = words[at + k] as number;
    g.push(w >>> 16, w & 0xffff);
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = (a: number, b: number) => g.slice(a, b).map((x) => x.toString(16));
  if (best < 0) return hex(0, 8).join(":");
  return `${hex(0, best).join(":")}::${hex(best + bestLen, 8).join(":")}`;
}
