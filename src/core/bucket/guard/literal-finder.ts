import type { LiteralDfa } from "./literal-dfa";

/**
 * The literals a string contains, for a guard index: one automaton scan, each literal
 * reported once. Answers a fresh array `[wide ? 1 : 0, literal ids…]` (its callers
 * memoise it per string).
 */
export class LiteralFinder {
  private count = 0;
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
    this.count = 1;
    this.scanNo++;
    this.buffer[0] = this.dfa.scan(v, this.collect) ? 1 : 0;
    return this.buffer.slice(0, this.count);
  }

  private grow(): void {
    const next = new Int32Array(this.buffer.length * 2);
    next.set(this.buffer);
    this.buffer = next;
  }
}
