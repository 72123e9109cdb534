/**
 * A small direct-mapped cache keyed by strings. Parsers hand every event fresh string
 * objects, most of them slices of the line: a Map would hash a whole user agent (100+
 * characters, through a runtime call for a slice) on every lookup. Here the slot comes
 * from the length and at most 24 characters — all of a short string; for a longer one 16
 * evenly spaced and its last 8 (paths and referers often differ in one digit near the
 * end) — and the entry found is confirmed with `===`. A collision just replaces the
 * entry: a miss, never a wrong answer.
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

  /** `bits`: 2^bits slots. */
  constructor(bits = 12) {
    const size = 1 << bits;
    this.mask = size - 1;
    this.keys = new Array<string | undefined>(size).fill(undefined);
    this.values = new Array<V | undefined>(size).fill(undefined);
  }

  get(s: string): V | undefined {
    const slot = this.slot(s);
    const k = this.keys[slot];
    return k !== undefined && k.length === s.length && k === s ? this.values[slot] : undefined;
  }

  set(s: string, v: V): void {
    if (s.length > MAX_LENGTH) return;
    const slot = this.slot(s);
    this.keys[slot] = s;
    this.values[slot] = v;
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
