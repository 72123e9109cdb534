import { entryKey, KEY_WORDS, TABLE_COUNT } from "./canonical";
import { Column } from "./columns";
import { checkEntry, MAX_U32, typeIndex, untilSeconds } from "./encode";
import { computeLayout, writeHeader, writeTypeNames } from "./format";
import { isRange } from "./sort-key";
import type { BaseLayout, DecisionEntry, PartLayout } from "./types";

/** The snapshot bytes of one part, and its entry count per table. */
export interface EncodedPart extends PartLayout {
  data: Uint8Array;
}

/** Header, type table and the 8-byte alignment of up to 10 sections. */
const OVERHEAD = 64 + 80;

/**
 * The streaming snapshot encoder: entries arrive one at a time in snapshot order (table,
 * key, id: what the Ledger reads from SQLite by sort key) and leave as parts of at most
 * `partBytes`, each a complete snapshot (format.ts) of a run of consecutive entries. What
 * it holds is the part being filled (in chunked columns), never the whole list, so
 * compacting a million decisions takes the memory of one part. One part's bytes are
 * `encodeSnapshot` of its entries; the parts assembled (assemble.ts) are `encodeSnapshot`
 * of them all.
 */
export class SnapshotEncoder {
  private part: PartColumns;
  private readonly done: PartLayout[] = [];
  private readonly totals = new Array<number>(TABLE_COUNT).fill(0);
  private readonly allTypes = new Set<string>();
  private ids64 = false;
  private prev: { table: number; key: Uint32Array; id: number } | null = null;
  private readonly scratch = new Uint32Array(8);
  /** The most bytes held at once: the columns of a part, then its encoding. */
  peakBytes = 0;
  private readonly chunk: number;

  constructor(readonly partBytes: number) {
    if (!Number.isInteger(partBytes) || partBytes < 4096) {
      throw new RangeError(`blocklist: part size ${partBytes} is not an integer ≥ 4096`);
    }
    // Chunks small beside a part, so a column's unused tail stays a small share of it.
    this.chunk = Math.max(256, Math.min(4096, Math.floor(partBytes / 64)));
    this.part = new PartColumns(this.chunk);
  }

  /** `addKey` for an entry (its key from scope and value); undefined for one the edge cannot match. */
  addEntry(e: DecisionEntry): EncodedPart | undefined {
    const table = entryKey(e.scope, e.value, this.scratch);
    if (table < 0) return undefined;
    checkEntry(e);
    return this.addKey(table, this.scratch, e.id, e.until, e.type);
  }

  /**
   * Adds the next entry (`key` in entryKey's layout, `until` in ms). Returns the part it
   * completed when it did not fit in the current one. Throws when entries come out of
   * order or an id is not a non-negative safe integer: only a writer bug does that.
   */
  addKey(
    table: number,
    key: Uint32Array,
    id: number,
    until: number,
    type: string,
  ): EncodedPart | undefined {
    this.checkOrder(table, key, id);
    let full: EncodedPart | undefined;
    if (this.part.length > 0 && this.part.bytesWith(table, id, type) > this.partBytes) {
      full = this.cut();
    }
    this.part.add(table, key, id, untilSeconds(until), type);
    this.allTypes.add(type);
    if (id > MAX_U32) this.ids64 = true;
    this.peakBytes = Math.max(this.peakBytes, this.part.heldBytes);
    return full;
  }

  /** The last part (an empty snapshot when nothing was added: a base always has one). */
  finish(): EncodedPart | undefined {
    return this.part.length > 0 || this.done.length === 0 ? this.cut() : undefined;
  }

  /** The assembled snapshot's shape, for the manifest; complete after `finish`. */
  layout(): BaseLayout {
    const types = [...typeIndex(this.allTypes).keys()];
    const typesBytes = JSON.stringify(types).length * 2;
    return {
      bytes: computeLayout(this.totals, this.ids64, typesBytes).byteLength,
      counts: [...this.totals],
      types,
      ids64: this.ids64,
      parts: this.done.map((p) => ({ bytes: p.bytes, counts: [...p.counts] })),
    };
  }

  private cut(): EncodedPart {
    const data = this.part.encode();
    this.peakBytes = Math.max(this.peakBytes, this.part.heldBytes + data.byteLength);
    const counts = [...this.part.counts];
    counts.forEach((n, t) => {
      this.totals[t] = (this.totals[t] as number) + n;
    });
    this.done.push({ bytes: data.byteLength, counts });
    this.part = new PartColumns(this.chunk);
    return { data, bytes: data.byteLength, counts };
  }

  private checkOrder(table: number, key: Uint32Array, id: number): void {
    if (!Number.isSafeInteger(id) || id < 0) {
      throw new RangeError(`blocklist: decision id ${id} is not a non-negative safe integer`);
    }
    const p = this.prev;
    if (p && compareEntries(p.table, p.key, p.id, table, key, id) >= 0) {
      throw new Error(`blocklist encoder: entry ${id} comes out of snapshot order (after ${p.id})`);
    }
    if (p) {
      p.table = table;
      p.key.set(key.subarray(0, KEY_WORDS[table] as number));
      p.id = id;
    } else this.prev = { table, key: Uint32Array.from(key.subarray(0, 8)), id };
  }
}

/** Snapshot order: table, key (a range's last address descending), id. */
function compareEntries(
  ta: number,
  a: Uint32Array,
  ia: number,
  tb: number,
  b: Uint32Array,
  ib: number,
): number {
  if (ta !== tb) return ta - tb;
  const n = KEY_WORDS[ta] as number;
  const half = isRange(ta) ? n / 2 : n;
  for (let w = 0; w < n; w++) {
    const x = a[w] as number;
    const y = b[w] as number;
    if (x !== y) return (x < y ? -1 : 1) * (w >= half ? -1 : 1);
  }
  return ia - ib;
}

/** One part's entries, column by column, in arrival order (which is snapshot order). */
class PartColumns {
  readonly counts = new Array<number>(TABLE_COUNT).fill(0);
  length = 0;
  private readonly ids: Column;
  private readonly until: Column;
  private readonly type: Column;
  private readonly firsts: Column[];
  /** A range's last address (the other tables use `firsts` only). */
  private readonly lasts: Column[];
  private readonly typeNames = new Map<string, number>();
  private typesBytes = 4;
  private ids64 = false;

  constructor(chunk: number) {
    this.ids = new Column("f64", chunk);
    this.until = new Column("u32", chunk);
    this.type = new Column("u8", chunk);
    this.firsts = Array.from({ length: TABLE_COUNT }, () => new Column("u32", chunk));
    this.lasts = Array.from({ length: TABLE_COUNT }, () => new Column("u32", chunk));
  }

  add(table: number, key: Uint32Array, id: number, until: number, type: string): void {
    let t = this.typeNames.get(type);
    if (t === undefined) {
      t = this.typeNames.size;
      this.typeNames.set(type, t);
      this.typesBytes = JSON.stringify([...this.typeNames.keys()]).length * 2;
    }
    const n = KEY_WORDS[table] as number;
    const half = isRange(table) ? n / 2 : n;
    for (let w = 0; w < half; w++) (this.firsts[table] as Column).push(key[w] as number);
    for (let w = half; w < n; w++) (this.lasts[table] as Column).push(key[w] as number);
    this.ids.push(id);
    this.until.push(until);
    this.type.push(t);
    if (id > MAX_U32) this.ids64 = true;
    this.counts[table] = (this.counts[table] as number) + 1;
    this.length++;
  }

  /** Encoded size with one more entry (an upper bound: every section padded). */
  bytesWith(table: number, id: number, type: string): number {
    const n = this.length + 1;
    const idBytes = this.ids64 || id > MAX_U32 ? 8 : 4;
    let keys = (KEY_WORDS[table] as number) * 4;
    for (let t = 0; t < TABLE_COUNT; t++) {
      keys += (this.counts[t] as number) * (KEY_WORDS[t] as number) * 4;
    }
    const types = this.typeNames.has(type)
      ? this.typesBytes
      : this.typesBytes + type.length * 2 + 6;
    return OVERHEAD + types + n * (idBytes + 5) + keys;
  }

  get heldBytes(): number {
    let n = this.ids.byteLength + this.until.byteLength + this.type.byteLength;
    for (let t = 0; t < TABLE_COUNT; t++) {
      n += (this.firsts[t] as Column).byteLength + (this.lasts[t] as Column).byteLength;
    }
    return n;
  }

  encode(): Uint8Array {
    const sorted = typeIndex(this.typeNames.keys());
    const typesText = JSON.stringify([...sorted.keys()]);
    const layout = computeLayout(this.counts, this.ids64, typesText.length * 2);
    const bytes = new Uint8Array(layout.byteLength);
    writeHeader(bytes, layout);
    writeTypeNames(bytes, layout, typesText);
    const total = this.length;
    const buffer = bytes.buffer;
    this.ids.copyTo(
      layout.idsF64
        ? new Float64Array(buffer, layout.idsAt, total)
        : new Uint32Array(buffer, layout.idsAt, total),
      0,
    );
    this.until.copyTo(new Uint32Array(buffer, layout.untilAt, total), 0);
    for (let t = 0; t < TABLE_COUNT; t++) this.writeKeys(buffer, layout.keysAt[t] as number, t);
    const remap = new Uint8Array(256);
    for (const [name, i] of this.typeNames) remap[i] = sorted.get(name) as number;
    const type = new Uint8Array(buffer, layout.typeAt, total);
    for (let i = 0; i < total; i++) type[i] = remap[this.type.get(i)] as number;
    return bytes;
  }

  /** A table's keys: its first words, then (ranges) its last words. */
  private writeKeys(buffer: ArrayBufferLike, at: number, t: number): void {
    const first = this.firsts[t] as Column;
    const last = this.lasts[t] as Column;
    first.copyTo(new Uint32Array(buffer, at, first.length), 0);
    if (last.length > 0)
      last.copyTo(new Uint32Array(buffer, at + first.length * 4, last.length), 0);
  }
}
