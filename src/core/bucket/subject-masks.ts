import { orInto, setBit } from "./clause-mask";
import type { GuardPlan, SubjectPlan } from "./guard-plan";
import { LiteralFinder } from "./literal-finder";
import { StringMemo } from "./string-memo";

/** What `addDerived` answers when the helper threw. */
export const DERIVE_FAILED: unique symbol = Symbol("derive failed");

/** A derived subject's value for one base string, and the clauses it satisfies. */
interface DerivedEntry {
  readonly value: unknown;
  readonly mask: Int32Array;
}

/** Slots of the memo, as a power of two. */
const MEMO_BITS = 14;
/** Longer strings are scanned every time: remembering them would keep large strings alive. */
const MEMO_MAX_LENGTH = 512;

/** What one string satisfies, per text subject holding it. */
interface TextEntry {
  /** The literals it contains (literal-finder.ts), with the non-ASCII flag first. */
  readonly hits: Int32Array;
  /**
   * Per text subject (by its text ordinal), `1 + words` ints: 1 once some event had this
   * string in that subject, then its clause mask. One flat array keeps an event's lookups
   * to a few dependent loads.
   */
  readonly masks: Int32Array;
  /** Per derived subject whose base held this string: its value and mask. */
  derived: (DerivedEntry | undefined)[] | null;
}

/**
 * What one subject's value satisfies, as a clause mask (clause-mask.ts): its equality
 * atoms, and for a text subject the literals of every scenario found in the string plus
 * its `fold` atoms when the string is not ASCII. Paths, user agents, referers and
 * statuses repeat, so strings are memoised in a Map: V8 keeps a string's hash in the
 * string, so the subjects holding the same string object (`http_path`, `request`, their
 * unescaped forms) hash it once, and the usual event costs one lookup per distinct
 * string and one scan for none.
 */
export class SubjectMasks {
  private readonly memo = new StringMemo<TextEntry>(MEMO_BITS);
  private readonly finder: LiteralFinder | null;
  private readonly subjects: readonly SubjectPlan[];
  /** The strings looked up for the current event and their entries (`begin` resets). */
  private readonly seen: string[];
  private readonly seenEntries: TextEntry[];
  private seenCount = 0;
  /** Per subject: its ordinal among text subjects, or -1. */
  private readonly textOrdinal: Int32Array;
  /** Length of an entry's `masks`. */
  private readonly entryInts: number;

  constructor(private readonly plan: GuardPlan) {
    this.subjects = plan.subjects;
    this.finder = plan.dfa && new LiteralFinder(plan.dfa, plan.literalTargets.length);
    let texts = 0;
    this.textOrdinal = Int32Array.from(plan.subjects, (sp) => (sp.text ? texts++ : -1));
    this.entryInts = texts * (plan.words + 1);
    this.seen = new Array<string>(texts).fill("");
    this.seenEntries = new Array<TextEntry>(texts).fill(EMPTY_ENTRY);
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
   * are pure, so the value and its mask are remembered with the base string's entry: a
   * path seen before is neither unescaped nor looked up again.
   */
  addDerived(s: number, base: string, apply: (v: unknown) => unknown, held: Int32Array): unknown {
    if (base.length > MEMO_MAX_LENGTH) {
      const d = this.derivedEntry(s, base, apply);
      orInto(held, d.mask);
      return d.value;
    }
    const e = this.entryOf(base);
    let d = e.derived?.[s];
    if (d === undefined) {
      d = this.derivedEntry(s, base, apply);
      e.derived ??= new Array<DerivedEntry | undefined>(this.subjects.length);
      e.derived[s] = d;
    }
    orInto(held, d.mask);
    return d.value;
  }

  private derivedEntry(s: number, base: string, apply: (v: unknown) => unknown): DerivedEntry {
    let value: unknown;
    try {
      value = apply(base);
    } catch {
      return { value: DERIVE_FAILED, mask: (this.subjects[s] as SubjectPlan).allMask };
    }
    const mask = new Int32Array(this.plan.words);
    this.add(s, value, mask);
    return { value, mask };
  }

  /** Computing subject `s` failed: the filters fail (or not) on their own, unguarded. */
  failed(s: number, held: Int32Array): void {
    orInto(held, (this.subjects[s] as SubjectPlan).allMask);
  }

  private addText(s: number, sp: SubjectPlan, v: string, held: Int32Array): void {
    if (v.length > MEMO_MAX_LENGTH) {
      orInto(held, this.maskOf(s, sp, v, this.hitsOf(v)));
      return;
    }
    const e = this.entryOf(v);
    const masks = e.masks;
    const words = held.length;
    const at = (this.textOrdinal[s] as number) * (words + 1);
    if (masks[at] === 0) {
      masks.set(this.maskOf(s, sp, v, e.hits), at + 1);
      masks[at] = 1;
    }
    for (let w = 0; w < words; w++) held[w] = (held[w] as number) | (masks[at + 1 + w] as number);
  }

  /**
   * The memo's entry for `v`. Subjects of one event often hold the very same string
   * object (`http_path`, `request`, their unescaped forms): those reuse the entry found
   * for the first, without hashing or comparing the string again.
   */
  private entryOf(v: string): TextEntry {
    const seen = this.seen;
    const n = this.seenCount;
    for (let j = 0; j < n; j++) if (seen[j] === v) return this.seenEntries[j] as TextEntry;
    let e = this.memo.get(v);
    if (e === undefined) {
      e = { hits: this.hitsOf(v), masks: new Int32Array(this.entryInts), derived: null };
      this.memo.set(v, e);
    }
    if (n < seen.length) {
      seen[n] = v;
      this.seenEntries[n] = e;
      this.seenCount = n + 1;
    }
    return e;
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
const EMPTY_ENTRY: TextEntry = { hits: NO_HITS, masks: new Int32Array(0), derived: null };
