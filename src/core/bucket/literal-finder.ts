import type { LiteralDfa } from "./literal-dfa";
import { StringMemo } from "./string-memo";

/**
 * The literals a string contains, for a guard index: one automaton scan, memoised, as
 * user agents, paths, referers, statuses and file names repeat (measured: a lookup costs
 * less than a scan even for a three-character status). Answers [wide ? 1 : 0, literal
 * ids…] in the first `count` entries of the returned array, which the next call may reuse.
 */

/** Shorter strings are not looked up; the empty string contains no literal. */
export const MEMO_MIN_LENGTH = 1;

export class LiteralFinder {
  /** How many entries of the last answer are meaningful. */
  count = 0;
  private readonly memo = new StringMemo<Int32Array>(14);
  private buffer = new Int32Array(16);
  private readonly seen: Int32Array;
  private scanNo = 0;
  private readonly collect = (ids: Int32Array): void => {
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k] as number;
      if (this.seen[id] === this.scanNo) continue;
      this.seen[id] = this.scanNo;
      if (this.count === this.buffer.length) this.grow();
      this.buffer[this.count++] = id;
    }
  };

  constructor(
    private readonly dfa: LiteralDfa,
    literals: number,
  ) {
    this.seen = new Int32Array(literals);
  }

  find(v: string): Int32Array {
    const long = v.length >= MEMO_MIN_LENGTH;
    if (long) {
      const known = this.memo.get(v);
      if (known !== undefined) {
        this.count = known.length;
        return known;
      }
    }
    this.count = 1;
    this.scanNo++;
    this.buffer[0] = this.dfa.scan(v, this.collect) ? 1 : 0;
    if (long) this.memo.set(v, this.buffer.slice(0, this.count));
    return this.buffer;
  }

  private grow(): void {
    const next = new Int32Array(this.buffer.length * 2);
    next.set(this.buffer);
    this.buffer = next;
  }
}
