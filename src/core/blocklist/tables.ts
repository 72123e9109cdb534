import { formatKey, KEY_WORDS, TABLE, TABLE_COUNT, TABLE_SCOPE } from "./canonical";
import { readLayout, readTypeNames } from "./format";
import type { DecisionEntry } from "./types";

/**
 * A decoded snapshot: typed-array views over its bytes (no copy), plus, per range table,
 * each range's nearest enclosing range (ranges are CIDR blocks: they nest or are
 * disjoint, so a binary search and a walk up that chain find every range holding an
 * address).
 */
export interface Tables {
  types: readonly string[];
  /** Precedence of each type index: 0 ban, 1 captcha, 2 throttle, 3 anything else. */
  rank: Uint8Array;
  /** Global position of each table's first entry; starts[TABLE_COUNT] is the total. */
  starts: readonly number[];
  ids: Uint32Array | Float64Array;
  until: Uint32Array;
  type: Uint8Array;
  ip4: Uint32Array;
  ip6: Uint32Array;
  range4First: Uint32Array;
  range4Last: Uint32Array;
  range4Parent: Int32Array;
  range6First: Uint32Array;
  range6Last: Uint32Array;
  range6Parent: Int32Array;
  country: Uint32Array;
  asn: Uint32Array;
}

const RANKS: Readonly<Record<string, number>> = { ban: 0, captcha: 1, throttle: 2 };
const OTHER_RANK = 3;

/** Precedence of a decision type: ban > captcha > throttle > any other (lower wins). */
export function typeRank(type: string): number {
  return RANKS[type.toLowerCase()] ?? OTHER_RANK;
}

export function decodeTables(input: Uint8Array): Tables {
  // Typed views need aligned offsets; KV's ArrayBuffer is, a slice of a pooled buffer may not be.
  const bytes = input.byteOffset % 8 === 0 ? input : input.slice();
  const layout = readLayout(bytes);
  const { buffer, byteOffset: o } = bytes;
  const n = layout.counts;
  const total = layout.starts[TABLE_COUNT] as number;
  const u32 = (at: number, len: number) => new Uint32Array(buffer, o + at, len);
  const keys = (t: number) =>
    u32(layout.keysAt[t] as number, (n[t] as number) * (KEY_WORDS[t] as number));
  const types = readTypeNames(bytes, layout);
  const r4 = keys(TABLE.range4);
  const r6 = keys(TABLE.range6);
  const n4 = n[TABLE.range4] as number;
  const n6 = n[TABLE.range6] as number;
  const t: Tables = {
    types,
    rank: ranks(types),
    starts: layout.starts,
    ids: layout.idsF64
      ? new Float64Array(buffer, o + layout.idsAt, total)
      : u32(layout.idsAt, total),
    until: u32(layout.untilAt, total),
    type: new Uint8Array(buffer, o + layout.typeAt, total),
    ip4: keys(TABLE.ip4),
    ip6: keys(TABLE.ip6),
    range4First: r4.subarray(0, n4),
    range4Last: r4.subarray(n4),
    range4Parent: new Int32Array(0),
    range6First: r6.subarray(0, n6 * 4),
    range6Last: r6.subarray(n6 * 4),
    range6Parent: new Int32Array(0),
    country: keys(TABLE.country),
    asn: keys(TABLE.asn),
  };
  t.range4Parent = parents(t.range4First, t.range4Last, 1);
  t.range6Parent = parents(t.range6First, t.range6Last, 4);
  return t;
}

/**
 * Rank of every possible type index: a corrupt index (only a writer bug makes one) reads
 * as an unknown type rather than out of bounds, which saves validating every entry on
 * the isolate's first request.
 */
function ranks(types: readonly string[]): Uint8Array {
  const rank = new Uint8Array(256).fill(OTHER_RANK);
  types.forEach((type, i) => {
    rank[i] = typeRank(type);
  });
  return rank;
}

/** Nearest enclosing range of each range (sorted by first address, wider first), or -1. */
function parents(first: Uint32Array, last: Uint32Array, words: number): Int32Array {
  const n = first.length / words;
  const parent = new Int32Array(n);
  const open = new Int32Array(n);
  let depth = 0;
  for (let i = 0; i < n; i++) {
    // Close the open ranges that end before this one starts (IPv4 inline: the hot case).
    if (words === 1) {
      const start = first[i] as number;
      while (depth > 0 && (last[open[depth - 1] as number] as number) < start) depth--;
    } else {
      while (
        depth > 0 &&
        lessWords(last, (open[depth - 1] as number) * words, first, i * words, words)
      )
        depth--;
    }
    parent[i] = depth > 0 ? (open[depth - 1] as number) : -1;
    open[depth++] = i;
  }
  return parent;
}

function lessWords(a: Uint32Array, ai: number, b: Uint32Array, bi: number, words: number): boolean {
  for (let k = 0; k < words; k++) {
    const x = a[ai + k] as number;
    const y = b[bi + k] as number;
    if (x !== y) return x < y;
  }
  return false;
}

/** The table holding global position `pos`. */
function tableOf(t: Tables, pos: number): number {
  let table = 0;
  while (pos >= (t.starts[table + 1] as number)) table++;
  return table;
}

/** The entry at global position `pos`, as a fresh object. */
export function entryAt(t: Tables, pos: number): DecisionEntry {
  const table = tableOf(t, pos);
  const j = pos - (t.starts[table] as number);
  return {
    id: t.ids[pos] as number,
    type: t.types[t.type[pos] as number] ?? "unknown",
    scope: TABLE_SCOPE[table] as string,
    value: valueAt(t, table, j),
    until: (t.until[pos] as number) * 1000,
  };
}

function valueAt(t: Tables, table: number, j: number): string {
  switch (table) {
    case TABLE.ip4:
      return formatKey(table, t.ip4, j);
    case TABLE.ip6:
      return formatKey(table, t.ip6, j * 4);
    case TABLE.range4:
      return formatKey(table, t.range4First, j, t.range4Last, j);
    case TABLE.range6:
      return formatKey(table, t.range6First, j * 4, t.range6Last, j * 4);
    case TABLE.country:
      return formatKey(table, t.country, j);
    default:
      return formatKey(table, t.asn, j);
  }
}

/** Every entry of a snapshot, in snapshot order (by table, then key). */
export function decodeSnapshot(bytes: Uint8Array): DecisionEntry[] {
  const t = decodeTables(bytes);
  const out: DecisionEntry[] = [];
  for (let pos = 0; pos < t.ids.length; pos++) out.push(entryAt(t, pos));
  return out;
}
