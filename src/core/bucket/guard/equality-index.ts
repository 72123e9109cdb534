/**
 * Equality atoms of one subject: value → the mask of clauses it satisfies. Most subjects
 * are compared with a handful of values (`log_type`, `verb`, `http_status`), which a few
 * `===` tests answer faster than hashing the event's fresh string; long lists (a data
 * file of file names) use a Map.
 */

import { maskOf } from "./clause-mask";

const LINEAR_MAX = 8;

export class EqualityIndex {
  private readonly values: unknown[] = [];
  private readonly masks: Int32Array[] = [];
  private readonly map: Map<unknown, Int32Array> | null;
  /** Length of each string value (-1 for other values). */
  private readonly lengths: Int32Array;

  constructor(entries: ReadonlyMap<unknown, ReadonlySet<number>>, words: number) {
    for (const [v, cs] of entries) {
      this.values.push(v);
      this.masks.push(maskOf(cs, words));
    }
    this.lengths = Int32Array.from(this.values, (v) => (typeof v === "string" ? v.length : -1));
    this.map =
      this.values.length > LINEAR_MAX
        ? new Map(this.values.map((v, i) => [v, this.masks[i] as Int32Array]))
        : null;
  }

  /** The clauses `v` satisfies (SameValueZero, as the Set of `in` and `===` of `==` agree on). */
  get(v: unknown): Int32Array | undefined {
    if (this.map !== null) return this.map.get(v);
    if (typeof v === "string") return this.getString(v);
    const values = this.values;
    for (let i = 0; i < values.length; i++) if (values[i] === v) return this.masks[i];
    return undefined;
  }

  /**
   * Strings from a parser are not internalized, so `===` compares characters (through a
   * runtime call for sliced strings): lengths first, which tells most values apart.
   */
  private getString(v: string): Int32Array | undefined {
    const lengths = this.lengths;
    const n = v.length;
    for (let i = 0; i < lengths.length; i++) {
      if (lengths[i] === n && this.values[i] === v) return this.masks[i];
    }
    return undefined;
  }
}
