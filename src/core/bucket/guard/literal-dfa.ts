/**
 * Every literal of every guard on one subject, found in one pass over the subject: an
 * Aho-Corasick automaton flattened into a dense transition table over ASCII character
 * classes, matching without regard to ASCII case. A step is two array reads, so the
 * subject costs about a nanosecond per character whatever the number of literals.
 */

/** A literal (lower-case ASCII) and the ids reported when it is found. */
export interface DfaEntry {
  literal: string;
  ids: readonly number[];
}

/** Reported ids of an accepting state (its literal's and those of its suffixes). */
export type DfaHit = (ids: Int32Array) => void;

interface Trie {
  next: Map<number, number>[];
  ids: Set<number>[];
}

function buildTrie(entries: readonly DfaEntry[]): Trie {
  const t: Trie = { next: [new Map()], ids: [new Set()] };
  for (const e of entries) {
    let s = 0;
    for (let k = 0; k < e.literal.length; k++) {
      const c = e.literal.charCodeAt(k);
      let n = (t.next[s] as Map<number, number>).get(c);
      if (n === undefined) {
        n = t.next.length;
        t.next.push(new Map());
        t.ids.push(new Set());
        (t.next[s] as Map<number, number>).set(c, n);
      }
      s = n;
    }
    for (const id of e.ids) (t.ids[s] as Set<number>).add(id);
  }
  return t;
}

function isLowerAscii(s: string): boolean {
  if (s === "") return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (c >= 65 && c <= 90)) return false;
  }
  return true;
}

export class LiteralDfa {
  /** Character class of each ASCII code; 0 for characters no literal has. */
  private readonly cls = new Uint8Array(128);
  private readonly width: number;
  /**
   * Transitions by (state × width + class), each the next state's row (state × width),
   * bitwise negated when that state accepts: one read per character.
   */
  private readonly delta: Int32Array;
  /** Per state: index into `outputs` plus one, or 0 when the state accepts nothing. */
  private readonly accept: Int32Array;
  private readonly outputs: Int32Array[] = [];

  constructor(entries: readonly DfaEntry[]) {
    for (const e of entries) {
      if (!isLowerAscii(e.literal)) {
        throw new Error(`literal-dfa: ${JSON.stringify(e.literal)} is not lower-case ASCII`);
      }
    }
    const trie = buildTrie(entries);
    let classes = 1;
    for (const m of trie.next)
      for (const c of m.keys()) if (this.cls[c] === 0) this.cls[c] = classes++;
    for (let c = 65; c <= 90; c++) this.cls[c] = this.cls[c + 32] as number;
    this.width = classes;
    this.delta = new Int32Array(trie.next.length * classes);
    this.accept = new Int32Array(trie.next.length);
    this.link(trie);
    this.encodeRows();
  }

  private encodeRows(): void {
    const w = this.width;
    for (let k = 0; k < this.delta.length; k++) {
      const n = this.delta[k] as number;
      this.delta[k] = this.accept[n] === 0 ? n * w : ~(n * w);
    }
  }

  /** Breadth-first: each state's missing transitions are its fail state's, as in Aho-Corasick. */
  private link(trie: Trie): void {
    const w = this.width;
    const fail = new Int32Array(trie.next.length);
    const order = [0];
    for (let q = 0; q < order.length; q++) {
      const s = order[q] as number;
      const ids = new Set(trie.ids[s]);
      if (s !== 0) for (const id of this.outputOf(fail[s] as number)) ids.add(id);
      if (ids.size > 0) {
        this.outputs.push(Int32Array.from(ids));
        this.accept[s] = this.outputs.length;
      }
      for (let c = 0; c < w; c++) {
        this.delta[s * w + c] = s === 0 ? 0 : (this.delta[(fail[s] as number) * w + c] as number);
      }
      for (const [code, n] of trie.next[s] as Map<number, number>) {
        const c = this.cls[code] as number;
        fail[n] = s === 0 ? 0 : (this.delta[(fail[s] as number) * w + c] as number);
        this.delta[s * w + c] = n;
        order.push(n);
      }
    }
  }

  private outputOf(s: number): Int32Array {
    const a = this.accept[s] as number;
    return a === 0 ? new Int32Array(0) : (this.outputs[a - 1] as Int32Array);
  }

  /**
   * Reports the ids of every literal `s` contains (repeats possible). Returns whether `s`
   * has a non-ASCII character: those are skipped, so a caller that needs Unicode case
   * folding must treat such a subject as matching.
   */
  scan(s: string, hit: DfaHit): boolean {
    const { cls, delta } = this;
    let row = 0;
    let wide = false;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128) {
        wide = true;
        row = 0;
        continue;
      }
      row = delta[row + (cls[c] as number)] as number;
      if (row < 0) {
        row = ~row;
        hit(this.outputs[(this.accept[row / this.width] as number) - 1] as Int32Array);
      }
    }
    return wide;
  }
}
