import { entryKey, KEY_WORDS, TABLE, TABLE_COUNT } from "./canonical";
import { computeLayout, type Layout, writeHeader, writeTypeNames } from "./format";
import type { DecisionEntry } from "./types";

const MAX_TYPES = 256;
export const MAX_U32 = 0xffffffff;

/** Entries of one table before sorting: indexes into the input and their key words. */
interface Pending {
  members: number[];
  keys: number[];
}

/**
 * The binary snapshot of `entries` (format: format.ts). Entries the edge cannot match (a
 * scope other than Ip/Range/Country/AS, or a value that is not one of its scope) are left
 * out; expired ones are kept (the reader ignores them), so the writer decides when to
 * drop them. The bytes depend only on the set of entries, not their order (the
 * streaming `SnapshotEncoder` writes the same ones). Throws on what only a bug produces: an id that is not a non-negative safe
 * integer, an `until` that is not a number, more than 256 distinct types.
 */
export function encodeSnapshot(entries: readonly DecisionEntry[]): Uint8Array {
  const pending: Pending[] = Array.from({ length: TABLE_COUNT }, () => ({ members: [], keys: [] }));
  const names = new Set<string>();
  const scratch = new Uint32Array(8);
  let idsF64 = false;
  entries.forEach((e, i) => {
    const t = entryKey(e.scope, e.value, scratch);
    if (t < 0) return;
    checkEntry(e);
    if (e.id > MAX_U32) idsF64 = true;
    names.add(e.type);
    const p = pending[t] as Pending;
    p.members.push(i);
    for (let w = 0; w < (KEY_WORDS[t] as number); w++) p.keys.push(scratch[w] as number);
  });
  const types = typeIndex(names);
  const typesText = JSON.stringify([...types.keys()]);
  const layout = computeLayout(
    pending.map((p) => p.members.length),
    idsF64,
    typesText.length * 2,
  );
  const bytes = new Uint8Array(layout.byteLength);
  writeHeader(bytes, layout);
  writeTypeNames(bytes, layout, typesText);
  for (let t = 0; t < TABLE_COUNT; t++)
    writeTable(bytes, layout, t, pending[t] as Pending, entries, types);
  return bytes;
}

/**
 * The type table: names sorted, so a snapshot is a function of its set of entries (the
 * streaming encoder, which sees them in key order, writes the same bytes).
 */
export function typeIndex(names: Iterable<string>): Map<string, number> {
  const sorted = [...names].sort();
  if (sorted.length > MAX_TYPES) throw new RangeError("blocklist: more than 256 decision types");
  return new Map(sorted.map((name, i) => [name, i]));
}

export function checkEntry(e: DecisionEntry): void {
  if (!Number.isSafeInteger(e.id) || e.id < 0) {
    throw new RangeError(`blocklist: decision id ${e.id} is not a non-negative safe integer`);
  }
  if (typeof e.until !== "number" || Number.isNaN(e.until)) {
    throw new RangeError(`blocklist: decision ${e.id} has until ${e.until}, not a number`);
  }
}

/** `until` in ms → whole seconds, rounded up so a decision never ends early. */
export function untilSeconds(until: number): number {
  return Math.min(MAX_U32, Math.max(0, Math.ceil(until / 1000)));
}

function writeTable(
  bytes: Uint8Array,
  layout: Layout,
  t: number,
  p: Pending,
  entries: readonly DecisionEntry[],
  types: Map<string, number>,
): void {
  const n = p.members.length;
  const words = KEY_WORDS[t] as number;
  const ranged = t === TABLE.range4 || t === TABLE.range6;
  const half = ranged ? words / 2 : words;
  const order = sortedOrder(p, words, ranged, entries);
  const total = layout.starts[TABLE_COUNT] as number;
  const ids = layout.idsF64
    ? new Float64Array(bytes.buffer, layout.idsAt, total)
    : new Uint32Array(bytes.buffer, layout.idsAt, total);
  const until = new Uint32Array(bytes.buffer, layout.untilAt, total);
  const type = new Uint8Array(bytes.buffer, layout.typeAt, total);
  const keys = new Uint32Array(bytes.buffer, layout.keysAt[t] as number, n * words);
  for (let j = 0; j < n; j++) {
    const src = order[j] as number;
    const e = entries[p.members[src] as number] as DecisionEntry;
    const pos = (layout.starts[t] as number) + j;
    ids[pos] = e.id;
    until[pos] = untilSeconds(e.until);
    type[pos] = types.get(e.type) as number;
    for (let w = 0; w < half; w++) keys[j * half + w] = p.keys[src * words + w] as number;
    if (ranged) {
      for (let w = 0; w < half; w++)
        keys[(n + j) * half + w] = p.keys[src * words + half + w] as number;
    }
  }
}

/** Positions of the table's entries in key order: ranges by first address, wider first on a tie; then id. */
function sortedOrder(
  p: Pending,
  words: number,
  ranged: boolean,
  entries: readonly DecisionEntry[],
): Uint32Array {
  const order = new Uint32Array(p.members.length);
  for (let j = 0; j < order.length; j++) order[j] = j;
  const half = ranged ? words / 2 : words;
  const k = p.keys;
  return order.sort((a, b) => {
    for (let w = 0; w < words; w++) {
      const x = k[a * words + w] as number;
      const y = k[b * words + w] as number;
      // The second half of a range key is its last address: descending puts wider first.
      if (x !== y) return (x < y ? -1 : 1) * (w >= half ? -1 : 1);
    }
    const ia = (entries[p.members[a] as number] as DecisionEntry).id;
    const ib = (entries[p.members[b] as number] as DecisionEntry).id;
    return ia - ib;
  });
}
