/**
 * Sets of guard clauses as bit masks, `words` 32-bit words each: what a subject's value
 * satisfies is one precomputed mask, the event's held clauses are their union, and a
 * scenario's guard holds when its own mask is covered — a few word operations instead of
 * a walk over clauses and the scenarios using them.
 */

export function wordsFor(clauses: number): number {
  return Math.max(1, (clauses + 31) >>> 5);
}

/** The mask of clause ids `ids`. */
export function maskOf(ids: Iterable<number>, words: number): Int32Array {
  const m = new Int32Array(words);
  for (const c of ids) setBit(m, c);
  return m;
}

export function setBit(m: Int32Array, c: number): void {
  m[c >>> 5] = (m[c >>> 5] as number) | (1 << (c & 31));
}

export function hasBit(m: Int32Array, c: number): boolean {
  return ((m[c >>> 5] as number) & (1 << (c & 31))) !== 0;
}

/** `into |= m`. */
export function orInto(into: Int32Array, m: Int32Array): void {
  for (let w = 0; w < m.length; w++) into[w] = (into[w] as number) | (m[w] as number);
}
