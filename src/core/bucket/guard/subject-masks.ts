import { orInto, setBit } from "./clause-mask";
import { LiteralFinder } from "./literal-finder";
import type { GuardPlan, SubjectPlan } from "./plan";
import { StringMemo } from "./string-memo";

/** What `addDerived` answers when the helper threw. */
export const DERIVE_FAILED: unique symbol = Symbol("derive failed");

/** Slots of the memo, as a power of two (16,384 slots: a few MB of masks at most). */
export const MEMO_BITS = 14;
/** Longer strings are scanned every time: remembering them would keep large strings alive. */
const MEMO_MAX_LENGTH = 512;

/** A record's state word: not computed yet, computed, or (derived subjects) the helper threw. */
const UNKNOWN = 0;
const KNOWN = 1;
const THREW = 2;

/**
 * What one subject's value satisfies, as a clause mask (clause-mask.ts): its equality
 * atoms, and for a text subject the literals of every scenario found in the string plus
 * its `fold` atoms when the string is not ASCII. Paths, user agents, referers and
 * statuses repeat, so strings are remembered in a table (string-memo.ts) and what is
 * known of each lives in one flat Int32Array by slot: per text subject and per derived
 * subject (`PathUnescape(evt.Meta.http_path)`, keyed by its base string) a record of a
 * state word and the mask. An event's lookups then touch a few cache lines instead of
 * chasing entry objects scattered over the heap, which is most of what guards cost.
 */
export class SubjectMasks {
  private readonly memo: StringMemo<Int32Array>;
  private readonly finder: LiteralFinder | null;
  private readonly subjects: readonly SubjectPlan[];
  /** Per text subject: its record among a slot's, or -1. */
  private readonly record: Int32Array;
  /** Per derived subject: its record, after the text subjects' ones, or -1. */
  private readonly derivedRecord: Int32Array;
  private readonly texts: number;
  /** Ints per record (state word, then the mask) and per slot. */
  private readonly recordInts: number;
  private readonly slotInts: number;
  private readonly data: Int32Array;
  /** Per slot and derived subject: the helper's value (the filters share it via the cache). */
  private readonly derivedValues: unknown[];
  private readonly derivedCount: number;
  /** The strings looked up for the current event and their slots (`begin` resets). */
  private readonly seen: string[];
  private readonly seenSlots: Int32Array;
  private seenCount = 0;

  /** `memoBits`: the memo's size as a power of two (tests shrink it to force evictions). */
  constructor(
    private readonly plan: GuardPlan,
    memoBits = MEMO_BITS,
  ) {
    this.memo = new StringMemo<Int32Array>(memoBits);
    this.subjects = plan.subjects;
    this.finder = plan.dfa && new LiteralFinder(plan.dfa, plan.literalTargets.length);
    let records = 0;
    this.record = Int32Array.from(plan.subjects, (sp) => (sp.text ? records++ : -1));
    const texts = records;
    // A derived subject's record is keyed by its base string, not by its own value.
    this.derivedRecord = Int32Array.from(plan.subjects, (sp) =>
      sp.subject.derived ? records++ : -1,
    );
    this.texts = texts;
    this.derivedCount = records - texts;
    this.recordInts = plan.words + 1;
    this.slotInts = records * this.recordInts;
    this.data = new Int32Array(this.memo.size * this.slotInts);
    this.derivedValues = new Array<unknown>(this.memo.size * this.derivedCount).fill(undefined);
    this.seen = new Array<string>(records).fill("");
    this.seenSlots = new Int32Array(this.seen.length);
  }

  /** A new event (or generation): strings seen before are looked up again. */
  begin(): void {
    this.seenCount = 0;
  }

  /** Adds to `held` the clauses subject `s` satisfies with value `v`. */
  add(s: number, v: unknown, held: Int32Array): void {
    const sp = this.subjects[s] as SubjectPlan;
    if (sp.text && typeof v === "string") {
      this.addText(s, sp, v, held);
      return;
    }
    // A non-string value cannot be scanned: every text atom may hold.
    if (sp.text) orInto(held, sp.textMask);
    const eq = sp.equals?.get(v);
    if (eq !== undefined) orInto(held, eq);
  }

  /**
   * Adds the clauses of derived subject `s` (`PathUnescape(evt.Meta.http_path)`) whose base
   * field holds `base`; returns its value, or DERIVE_FAILED when the helper throws. Helpers
   * are pure, so the value and its mask are remembered with the base string: a path seen
   * before is neither unescaped nor looked up again.
   */
  addDerived(s: number, base: string, apply: (v: unknown) => unknown, held: Int32Array): unknown {
    const slot = base.length > MEMO_MAX_LENGTH ? -1 : this.slotOf(base);
    const rec = this.derivedRecord[s] as number;
    const data = this.data;
    const at = slot * this.slotInts + rec * this.recordInts;
    const valueAt = slot * this.derivedCount + rec - this.texts;
    if (slot >= 0 && data[at] !== UNKNOWN) {
      this.orRecord(held, at);
      return data[at] === THREW ? DERIVE_FAILED : this.derivedValues[valueAt];
    }
    const value = this.derive(apply, base);
    const mask = new Int32Array(this.plan.words);
    if (value === DERIVE_FAILED) orInto(mask, (this.subjects[s] as SubjectPlan).allMask);
    else this.add(s, value, mask);
    orInto(held, mask);
    // Adding the value may have given the base's slot to another string.
    if (slot >= 0 && this.memo.find(base) === slot) {
      data.set(mask, at + 1);
      data[at] = value === DERIVE_FAILED ? THREW : KNOWN;
      this.derivedValues[valueAt] = value;
    }
    return value;
  }

  /** `held |=` the mask of the record at `at`. */
  private orRecord(held: Int32Array, at: number): void {
    const data = this.data;
    for (let w = 0; w < held.length; w++) {
      held[w] = (held[w] as number) | (data[at + 1 + w] as number);
    }
  }

  private derive(apply: (v: unknown) => unknown, base: string): unknown {
    try {
      return apply(base);
    } catch {
      return DERIVE_FAILED;
    }
  }

  /** Computing subject `s` failed: the filters fail (or not) on their own, unguarded. */
  failed(s: number, held: Int32Array): void {
    orInto(held, (this.subjects[s] as SubjectPlan).allMask);
  }

  private addText(s: number, sp: SubjectPlan, v: string, held: Int32Array): void {
    const slot = v.length > MEMO_MAX_LENGTH ? -1 : this.slotOf(v);
    if (slot < 0) {
      orInto(held, this.maskOf(s, sp, v, this.hitsOf(v)));
      return;
    }
    const data = this.data;
    const at = slot * this.slotInts + (this.record[s] as number) * this.recordInts;
    if (data[at] === UNKNOWN) {
      data.set(this.maskOf(s, sp, v, this.memo.valueAt(slot) as Int32Array), at + 1);
      data[at] = KNOWN;
    }
    this.orRecord(held, at);
  }

  /**
   * The memo's slot for `v` (-1 when the memo will not keep it), claimed (its records
   * reset) when `v` is new. Subjects of one
   * event often hold the very same string object (`http_path`, `request`, their unescaped
   * forms): those reuse the slot found for the first, without hashing or comparing again.
   */
  private slotOf(v: string): number {
    const seen = this.seen;
    const n = this.seenCount;
    for (let j = 0; j < n; j++) if (seen[j] === v) return this.seenSlots[j] as number;
    let slot = this.memo.find(v);
    if (slot < 0) {
      slot = this.memo.claim(v, this.hitsOf(v));
      if (slot < 0) return -1; // too long to keep
      this.forget(slot);
    }
    // Read again: forgetting may have removed the string whose slot `v` just took.
    const at = this.seenCount;
    if (at < seen.length) {
      seen[at] = v;
      this.seenSlots[at] = slot;
      this.seenCount = at + 1;
    }
    return slot;
  }

  /** A slot changed hands: its records are unknown again, and this event forgets it. */
  private forget(slot: number): void {
    this.data.fill(UNKNOWN, slot * this.slotInts, (slot + 1) * this.slotInts);
    const d = this.derivedCount;
    this.derivedValues.fill(undefined, slot * d, (slot + 1) * d);
    let n = 0;
    for (let j = 0; j < this.seenCount; j++) {
      if (this.seenSlots[j] === slot) continue;
      this.seen[n] = this.seen[j] as string;
      this.seenSlots[n++] = this.seenSlots[j] as number;
    }
    this.seenCount = n;
  }

  private hitsOf(v: string): Int32Array {
    const finder = this.finder;
    return finder === null || v === "" ? NO_HITS : finder.find(v);
  }

  private maskOf(s: number, sp: SubjectPlan, v: string, hits: Int32Array): Int32Array {
    const m = new Int32Array(this.plan.words);
    const eq = sp.equals?.get(v);
    if (eq !== undefined) orInto(m, eq);
    const targets = this.plan.literalTargets;
    for (let k = 1; k < hits.length; k++) {
      const pairs = targets[hits[k] as number] as Int32Array;
      for (let j = 0; j < pairs.length; j += 2) {
        if (pairs[j] === s) setBit(m, pairs[j + 1] as number);
      }
    }
    if (hits[0] === 1) orInto(m, sp.foldMask);
    return m;
  }
}

const NO_HITS = new Int32Array(1);
