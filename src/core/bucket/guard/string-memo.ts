/**
 * A small two-way set-associative cache keyed by strings. Parsers hand every event fresh
 * string objects, most of them slices of the line: a Map would hash a whole user agent
 * (100+ characters, through a runtime call for a slice) on every lookup. Here the set
 * comes from the length and at most 24 characters — all of a short string; for a longer
 * one 16 evenly spaced and its last 8 (paths and referers often differ in one digit near
 * the end) — and the entry found is confirmed with `===`. Two ways per set, the one used
 * less recently replaced, keep sampled-hash twins (`/blog/2023/07/`, `/blog/2025/07/`)
 * from evicting each other on every line. A miss costs a recomputation, never a wrong
 * answer.
 */

/** Strings longer than this are not cached: comparing them costs about a scan. */
const MAX_LENGTH = 512;
/** Strings up to this length are hashed whole. */
const WHOLE = 24;
const STRIDED = 16;
const TAIL = 8;

export class StringMemo<V> {
  private readonly keys: (string | undefined)[];
  private readonly values: (V | undefined)[];
  private readonly mask: number;
  /** Per set: the way to replace next (the one not found last). */
  private readonly victim: Uint8Array;

  /** `bits`: 2^bits slots, in 2^(bits-1) sets of two ways (slots 2k and 2k+1). */
  constructor(bits = 12) {
    const size = 1 << bits;
    this.mask = size - 2;
    this.victim = new Uint8Array(size >>> 1);
    this.keys = new Array<string | undefined>(size).fill(undefined);
    this.values = new Array<V | undefined>(size).fill(undefined);
  }

  /** Slots in the table: `find` and `claim` answer indexes below it. */
  get size(): number {
    return this.keys.length;
  }

  /** The slot holding a string equal to `s`, or -1. */
  find(s: string): number {
    const slot = this.slot(s);
    const keys = this.keys;
    const k = keys[slot];
    if (k !== undefined && k.length === s.length && k === s) {
      this.victim[slot >>> 1] = 1;
      return slot;
    }
    const k2 = keys[slot + 1];
    if (k2 !== undefined && k2.length === s.length && k2 === s) {
      this.victim[slot >>> 1] = 0;
      return slot + 1;
    }
    return -1;
  }

  /**
   * Stores `s` with `v` in its set's less recently found way, evicting the string there;
   * returns the slot, or -1 when `s` is too long to keep. Callers keeping data by slot
   * reset it on a claim.
   */
  claim(s: string, v: V): number {
    if (s.length > MAX_LENGTH) return -1;
    const set = this.slot(s);
    const way = this.victim[set >>> 1] as number;
    const slot = set + way;
    this.victim[set >>> 1] = way ^ 1;
    this.keys[slot] = flatCopy(s);
    this.values[slot] = v;
    return slot;
  }

  /** The value stored at `slot`. */
  valueAt(slot: number): V | undefined {
    return this.values[slot];
  }

  private slot(s: string): number {
    const n = s.length;
    let h = n;
    if (n <= WHOLE) {
      for (let i = 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x9e3779b1);
    } else {
      const step = ((n - TAIL) / STRIDED) | 0;
      for (let i = 0; i < n - TAIL; i += step) h = Math.imul(h ^ s.charCodeAt(i), 0x9e3779b1);
      for (let i = n - TAIL; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x85ebca6b);
    }
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return (h ^ (h >>> 13)) & this.mask;
  }
}

/**
 * A copy of `s` in its own flat storage. A parser's field is a slice of its line: kept as a
 * key it would keep the whole line alive and make every later comparison read through it.
 * JSON.parse builds a new sequential string (this runs on a miss only).
 */
function flatCopy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}
