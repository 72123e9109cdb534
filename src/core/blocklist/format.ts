import { KEY_WORDS, TABLE_COUNT } from "./canonical";

/**
 * The binary snapshot (`bl:base:<epoch>`), little-endian, every section 8-byte aligned so
 * the reader takes typed-array views of the bytes KV returns instead of copying them:
 *
 *   header   16 × u32: magic "PBL1", version 1, flags (bit 0: ids are f64), byte length
 *            of the type table, then the entry count of each table (ip4, ip6, range4,
 *            range6, country, asn), then zeros
 *   types    a JSON array of the decision type names, as UTF-16 code units (no
 *            TextEncoder in the pure core)
 *   ids      one per entry, u32 (f64 when an id exceeds 2^32 - 1)
 *   until    one u32 per entry: end of the decision in seconds since the epoch (rounded up)
 *   keys     per table: ip4 u32 · ip6 4×u32 · range4 first u32[n] then last u32[n] ·
 *            range6 first 4×u32[n] then last 4×u32[n] · country u32 (two ASCII codes) · asn u32
 *   type     one u8 per entry: index into the type table
 *
 * Entries are grouped by table in that order and sorted by key within each (ranges by
 * first address, wider first on a tie), so the global position of an entry indexes the
 * ids/until/type columns. An IPv4 address costs 13 bytes: 1M of them is 13 MB of the
 * 25 MiB a KV value may hold.
 */

const MAGIC = 0x314c4250;
export const VERSION = 1;
const FLAG_IDS_F64 = 1;
const HEADER_BYTES = 64;
const H_COUNTS = 4;

export interface Layout {
  counts: readonly number[];
  /** Global position of each table's first entry; starts[TABLE_COUNT] is the total. */
  starts: readonly number[];
  idsF64: boolean;
  typesBytes: number;
  typesAt: number;
  idsAt: number;
  untilAt: number;
  keysAt: readonly number[];
  typeAt: number;
  byteLength: number;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

export function computeLayout(
  counts: readonly number[],
  idsF64: boolean,
  typesBytes: number,
): Layout {
  const starts = [0];
  for (let t = 0; t < TABLE_COUNT; t++) starts.push((starts[t] as number) + (counts[t] as number));
  const total = starts[TABLE_COUNT] as number;
  const typesAt = HEADER_BYTES;
  const idsAt = align8(typesAt + typesBytes);
  const untilAt = align8(idsAt + total * (idsF64 ? 8 : 4));
  let at = align8(untilAt + total * 4);
  const keysAt: number[] = [];
  for (let t = 0; t < TABLE_COUNT; t++) {
    keysAt.push(at);
    at = align8(at + (counts[t] as number) * (KEY_WORDS[t] as number) * 4);
  }
  const typeAt = at;
  return {
    counts,
    starts,
    idsF64,
    typesBytes,
    typesAt,
    idsAt,
    untilAt,
    keysAt,
    typeAt,
    byteLength: align8(typeAt + total),
  };
}

export function writeHeader(bytes: Uint8Array, layout: Layout): void {
  const h = new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_BYTES / 4);
  h[0] = MAGIC;
  h[1] = VERSION;
  h[2] = layout.idsF64 ? FLAG_IDS_F64 : 0;
  h[3] = layout.typesBytes;
  for (let t = 0; t < TABLE_COUNT; t++) h[H_COUNTS + t] = layout.counts[t] as number;
}

/** The layout a snapshot declares; throws on anything that is not a well-formed snapshot. */
export function readLayout(bytes: Uint8Array): Layout {
  if (!LITTLE_ENDIAN) throw new Error("blocklist snapshot: big-endian hosts are not supported");
  if (bytes.byteLength < HEADER_BYTES) throw new Error("blocklist snapshot: too short");
  const h = new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_BYTES / 4);
  if (h[0] !== MAGIC) throw new Error("blocklist snapshot: bad magic (not a Palisade snapshot)");
  if (h[1] !== VERSION) throw new Error(`blocklist snapshot: unsupported version ${h[1]}`);
  const counts: number[] = [];
  for (let t = 0; t < TABLE_COUNT; t++) counts.push(h[H_COUNTS + t] as number);
  const layout = computeLayout(counts, ((h[2] as number) & FLAG_IDS_F64) !== 0, h[3] as number);
  if (layout.byteLength !== bytes.byteLength) {
    throw new Error(
      `blocklist snapshot: ${bytes.byteLength} bytes where the header declares ${layout.byteLength}`,
    );
  }
  return layout;
}

/** The decision type names a snapshot's type table holds. */
export function readTypeNames(bytes: Uint8Array, layout: Layout): string[] {
  const codes = new Uint16Array(
    bytes.buffer,
    bytes.byteOffset + layout.typesAt,
    layout.typesBytes / 2,
  );
  const names: unknown = JSON.parse(String.fromCharCode(...codes));
  if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) {
    throw new Error("blocklist snapshot: the type table is not a list of names");
  }
  return names as string[];
}

/** Writes the type table (UTF-16 code units: no TextEncoder in the pure core). */
export function writeTypeNames(bytes: Uint8Array, layout: Layout, text: string): void {
  const codes = new Uint16Array(bytes.buffer, bytes.byteOffset + layout.typesAt, text.length);
  for (let k = 0; k < text.length; k++) codes[k] = text.charCodeAt(k);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
