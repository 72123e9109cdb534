/**
 * A small direct-mapped cache keyed by strings. Parsers hand every event fresh string
 * objects, so a Map would hash a whole user agent (100+ characters) on every lookup;
 * here the slot comes from the length and 8 sampled characters, and the entry found is
 * confirmed with `===`. A collision just replaces the entry: a miss, never a wrong answer.
 */

/** Strings longer than this are not cached: comparing them costs about a scan. */
const MAX_LENGTH = 512;
const SAMPLES = 8;

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
    if (n <= SAMPLES) {
      for (let i = 0; i < n; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x9e3779b1);
    } else {
      // Evenly spaced samples ending at the last character (paths differ at the end).
      const step = ((n - 1) / (SAMPLES - 1)) | 0;
      for (let i = n - 1 - step * (SAMPLES - 1); i < n; i += step) {
        h = Math.imul(h ^ s.charCodeAt(i), 0x9e3779b1);
      }
    }
    return (h ^ (h >>> 15)) & this.mask;
  }
}
