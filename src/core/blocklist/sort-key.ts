import { prefixBounds } from "./address";
import { entryKey, KEY_WORDS, TABLE } from "./canonical";

/**
 * An entry's place in a snapshot as bytes whose byte order (memcmp, SQLite's BLOB order)
 * is the snapshot's order: the table, then the key words big-endian, a range's last
 * address inverted so that, on the same first address, the wider range comes first. The
 * Ledger stores it with each decision, so compaction reads rows from SQLite already in
 * snapshot order (ORDER BY sort key, id) and streams them into the encoder.
 */

const words = new Uint32Array(8);
const lo = new Uint32Array(4);
const hi = new Uint32Array(4);

/**
 * The sort key of a decision as the edge enforces it (an IPv6 `Ip` value taken to the
 * first address of its /ipv6Prefix, as `canonicalEntryValue` does), or undefined when
 * the edge cannot match it.
 */
export function sortKeyOf(
  scope: string,
  value: string,
  ipv6Prefix?: number,
): Uint8Array | undefined {
  const table = entryKey(scope, value, words);
  if (table < 0) return undefined;
  if (table === TABLE.ip6 && ipv6Prefix !== undefined) {
    prefixBounds(words, ipv6Prefix, lo, hi);
    words.set(lo, 0);
  }
  return sortKey(table, words);
}

/** The sort key of `key` (entryKey's layout) in `table`. */
export function sortKey(table: number, key: Uint32Array): Uint8Array {
  const n = KEY_WORDS[table] as number;
  const half = isRange(table) ? n / 2 : n;
  const out = new Uint8Array(1 + n * 4);
  out[0] = table;
  const view = new DataView(out.buffer);
  for (let w = 0; w < n; w++) {
    const v = key[w] as number;
    view.setUint32(1 + w * 4, w >= half ? ~v >>> 0 : v);
  }
  return out;
}

/**
 * Reads a sort key back into `out` (entryKey's layout: a range's first then last
 * address). Returns the table, or -1 when the bytes are not a sort key.
 */
export function readSortKey(bytes: Uint8Array, out: Uint32Array): number {
  const table = bytes[0] ?? -1;
  const n = KEY_WORDS[table];
  if (n === undefined || bytes.byteLength !== 1 + n * 4) return -1;
  const half = isRange(table) ? n / 2 : n;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let w = 0; w < n; w++) {
    const v = view.getUint32(1 + w * 4);
    out[w] = w >= half ? ~v >>> 0 : v;
  }
  return table;
}

export function isRange(table: number): boolean {
  return table === TABLE.range4 || table === TABLE.range6;
}
