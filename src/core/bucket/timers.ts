/**
 * Deadlines of timed buckets (counter `duration`), soonest first: a binary min-heap so
 * the engine fires due overflows in time order without scanning every bucket.
 * Entries are not removed when their bucket goes away; the engine checks on firing.
 */
export interface Deadline {
  at: number;
  scenario: number;
  key: string;
  /** First-event time of the bucket the deadline belongs to (identifies that bucket). */
  first: number;
}

export class DeadlineHeap {
  private readonly items: Deadline[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The soonest deadline, or +Infinity when there is none. */
  next(): number {
    return this.items[0]?.at ?? Number.POSITIVE_INFINITY;
  }

  push(d: Deadline): void {
    const items = this.items;
    items.push(d);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as Deadline;
      if (p.at <= d.at) break;
      items[i] = p;
      i = parent;
    }
    items[i] = d;
  }

  pop(): Deadline | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= items.length) break;
      const r = l + 1;
      const child =
        r < items.length && (items[r] as Deadline).at < (items[l] as Deadline).at ? r : l;
      const c = items[child] as Deadline;
      if (c.at >= last.at) break;
      items[i] = c;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
