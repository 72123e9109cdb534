/**
 * JSON string literals written straight from a line's bytes into a Buffer: no JavaScript
 * string per line, so a million lines leave no garbage for the collector to chase and the
 * shipper's memory stays flat. Bytes that are not valid UTF-8 become U+FFFD, the way
 * `Buffer.toString("utf8")` decodes them (one per maximal invalid subpart), so the body is
 * always valid JSON.
 */

/** 1 for bytes copied as they are inside a JSON string. */
const PLAIN = new Uint8Array(256);
for (let c = 0x20; c < 0x80; c++) PLAIN[c] = 1;
PLAIN[0x22] = 0;
PLAIN[0x5c] = 0;

const SHORT: Record<number, number> = {
  8: 0x62,
  9: 0x74,
  10: 0x6e,
  12: 0x66,
  13: 0x72,
  34: 0x22,
  92: 0x5c,
};
const HEX = Buffer.from("0123456789abcdef");

/** Most bytes one line can take in JSON: every byte as `\u00XX`, plus the quotes. */
export function maxJsonLength(bytes: number): number {
  return bytes * 6 + 2;
}

function writeEscape(dst: Buffer, p: number, c: number): number {
  dst[p++] = 0x5c;
  const short = SHORT[c];
  if (short !== undefined) {
    dst[p++] = short;
    return p;
  }
  dst[p++] = 0x75;
  dst[p++] = 0x30;
  dst[p++] = 0x30;
  dst[p++] = HEX[c >> 4] as number;
  dst[p++] = HEX[c & 15] as number;
  return p;
}

/** Bounds of the second byte after a lead byte (UTF-8's shortest-form and range rules). */
function secondRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

/**
 * Length of the UTF-8 sequence at src[i] when valid (positive), or minus the length of the
 * maximal invalid subpart to replace with one U+FFFD (negative).
 */
function sequence(src: Buffer, i: number, end: number): number {
  const lead = src[i] as number;
  const len =
    lead >= 0xc2 && lead <= 0xdf
      ? 2
      : lead >= 0xe0 && lead <= 0xef
        ? 3
        : lead >= 0xf0 && lead <= 0xf4
          ? 4
          : 0;
  if (len === 0) return -1;
  const [lo, hi] = secondRange(lead);
  for (let k = 1; k < len; k++) {
    const c = i + k < end ? (src[i + k] as number) : -1;
    const ok = k === 1 ? c >= lo && c <= hi : c >= 0x80 && c <= 0xbf;
    if (!ok) return -k;
  }
  return len;
}

/**
 * Writes src[start, end) as a JSON string literal at dst[p]; returns the position after it.
 * dst must have maxJsonLength(end - start) bytes free.
 */
export function writeJsonString(
  dst: Buffer,
  p: number,
  src: Buffer,
  start: number,
  end: number,
): number {
  dst[p++] = 0x22;
  let i = start;
  while (i < end) {
    const c = src[i] as number;
    if (PLAIN[c] === 1) {
      dst[p++] = c;
      i++;
    } else if (c < 0x80) {
      p = writeEscape(dst, p, c);
      i++;
    } else {
      const n = sequence(src, i, end);
      if (n > 0) {
        for (let k = 0; k < n; k++) dst[p++] = src[i + k] as number;
        i += n;
      } else {
        dst[p++] = 0xef;
        dst[p++] = 0xbf;
        dst[p++] = 0xbd;
        i -= n;
      }
    }
  }
  dst[p++] = 0x22;
  return p;
}
