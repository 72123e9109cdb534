/**
 * Common subexpressions across expressions: `Upper(evt.Meta.http_path)` appears in dozens
 * of hub filters, and an engine runs them all on the same event. Each subject key
 * (subject.ts) gets a slot, numbered once per process, so every expression that contains
 * it reads and writes the same slot of an EvalCache. The cache belongs to its owner (one
 * engine), who calls `next()` whenever the event changes — or might have changed, after an
 * expression that can modify it (SetMeta) — so a value never outlives the event it was
 * computed from. Runs without a cache (plain `run(env)`) compute everything as before.
 */

const slots = new Map<string, number>();

/** The slot of a subject key; the same key always gets the same slot. */
export function slotFor(key: string): number {
  let slot = slots.get(key);
  if (slot === undefined) {
    slot = slots.size;
    slots.set(key, slot);
  }
  return slot;
}

/** Generations wrap here; the stamps are cleared so an old stamp cannot look current. */
const GEN_LIMIT = 0x3fffffff;

export class EvalCache {
  /** The current generation: a slot stamped with it holds a value of the current event. */
  gen = 1;
  stamps: Int32Array;
  values: unknown[];

  constructor() {
    // Slots numbered after this point (expressions compiled later) grow the cache on use.
    this.stamps = new Int32Array(Math.max(16, slots.size * 2));
    this.values = new Array<unknown>(this.stamps.length).fill(null);
  }

  /** Forgets every value: the event changed (or may have). */
  next(): void {
    if (++this.gen < GEN_LIMIT) return;
    this.stamps.fill(0);
    this.gen = 1;
  }

  store(slot: number, value: unknown): void {
    if (slot >= this.stamps.length) this.grow(slot);
    this.stamps[slot] = this.gen;
    this.values[slot] = value;
  }

  private grow(slot: number): void {
    const stamps = new Int32Array(Math.max(slot + 1, this.stamps.length * 2));
    stamps.set(this.stamps);
    this.stamps = stamps;
  }
}
