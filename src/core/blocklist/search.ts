import { compareWords } from "./address";
import { TABLE } from "./canonical";
import type { Tables } from "./tables";

/**
 * The allocation-free lookup: every table holding the visitor is searched (O(log n)
 * each) and each live candidate is offered to one `Best`, which keeps the winner by
 * precedence (ban > captcha > throttle > other), then the latest end, then the lowest id.
 */
export class Best {
  tables: Tables | null = null;
  pos = -1;
  /** Ids whose base entries a delta deleted or replaced. */
  shadow: ReadonlySet<number> | null = null;
  // rank, until (s), id of the winner, and now in whole seconds: numbers kept in a typed
  // array so that storing them never boxes a heap number (the clean path allocates nothing).
  private readonly n = new Float64Array(4);

  reset(nowMs: number): void {
    this.tables = null;
    this.pos = -1;
    this.shadow = null;
    // until is whole seconds, so until * 1000 > now ⇔ until > floor(now / 1000).
    this.n[3] = Math.floor(nowMs / 1000);
  }

  consider(t: Tables, pos: number): void {
    const n = this.n;
    const until = t.until[pos] as number;
    if (until <= (n[3] as number)) return;
    const id = t.ids[pos] as number;
    if (this.shadow?.has(id)) return;
    const rank = t.rank[t.type[pos] as number] as number;
    if (this.tables !== null) {
      const r = n[0] as number;
      if (rank > r) return;
      const u = n[1] as number;
      if (rank === r && (until < u || (until === u && id >= (n[2] as number)))) return;
    }
    this.tables = t;
    this.pos = pos;
    n[0] = rank;
    n[1] = until;
    n[2] = id;
  }
}

// Query words are passed as (typed array, index), never as number arguments: a u32 above
// 2^30 crossing a call boundary is boxed into a heap number in V8 with pointer compression
// (workerd), which would put an allocation on every clean lookup.

/** First index in sorted `keys` whose value is ≥ q[at]. */
function lowerBound(keys: Uint32Array, q: Uint32Array, at: number): number {
  const x = q[at] as number;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Offers every entry of a u32-keyed table (ip4, country, asn) whose key is q[at]. */
export function searchPoint(
  best: Best,
  t: Tables,
  table: number,
  q: Uint32Array,
  at: number,
): void {
  const keys = table === TABLE.ip4 ? t.ip4 : table === TABLE.country ? t.country : t.asn;
  const base = t.starts[table] as number;
  const x = q[at] as number;
  for (let i = lowerBound(keys, q, at); i < keys.length && keys[i] === x; i++) {
    best.consider(t, base + i);
  }
}

/** Offers every IPv6 `Ip` entry in [first, last] (the visitor's /prefix). */
export function searchIp6(best: Best, t: Tables, first: Uint32Array, last: Uint32Array): void {
  const keys = t.ip6;
  const n = keys.length / 4;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareWords(keys, mid * 4, first, 0) < 0) lo = mid + 1;
    else hi = mid;
  }
  const base = t.starts[TABLE.ip6] as number;
  for (let i = lo; i < n && compareWords(keys, i * 4, last, 0) <= 0; i++)
    best.consider(t, base + i);
}

/** Offers every IPv4 range holding q[0]: the innermost, then each enclosing one. */
export function searchRange4(best: Best, t: Tables, q: Uint32Array): void {
  const x = q[0] as number;
  const first = t.range4First;
  const last = t.range4Last;
  let lo = 0;
  let hi = first.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((first[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  let i = lo - 1;
  while (i >= 0 && (last[i] as number) < x) i = t.range4Parent[i] as number;
  const base = t.starts[TABLE.range4] as number;
  for (; i >= 0; i = t.range4Parent[i] as number) best.consider(t, base + i);
}

/** Offers every IPv6 range holding the address `x[0..3]`. */
export function searchRange6(best: Best, t: Tables, x: Uint32Array): void {
  const first = t.range6First;
  const last = t.range6Last;
  let lo = 0;
  let hi = first.length / 4;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareWords(first, mid * 4, x, 0) <= 0) lo = mid + 1;
    else hi = mid;
  }
  let i = lo - 1;
  while (i >= 0 && compareWords(last, i * 4, x, 0) < 0) i = t.range6Parent[i] as number;
  const base = t.starts[TABLE.range6] as number;
  for (; i >= 0; i = t.range6Parent[i] as number) best.consider(t, base + i);
}
