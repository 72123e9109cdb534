import type { DerivedSubject, EvalCache, SubjectPath } from "../../expr/index";
import type { CompiledScenario } from "../../scenario/types";
import { hasBit } from "./clause-mask";
import { FieldReader, MISS } from "./field-reader";
import { type GuardPlan, planGuards, type SubjectPlan } from "./plan";
import { DERIVE_FAILED, MEMO_BITS, SubjectMasks } from "./subject-masks";

/**
 * Which scenarios an event can possibly match, from their filters' guards (expr/guard/):
 * a scenario whose guard does not hold is skipped without running its filter.
 *
 * Once per event every subject (`evt.Meta.http_path`, `evt.Meta.log_type`, …) is
 * computed — plain fields read together (field-reader.ts), helpers of them applied to the
 * value read — and what its value satisfies (equality atoms, literals found in a string:
 * subject-masks.ts) is added to the event's mask of held clauses (clause-mask.ts). A
 * scenario passes when the mask covers its clauses. Helper subjects compared for equality
 * only (`Upper(evt.Parsed.verb) == 'POST'`) are computed when a scenario gets to them.
 * The mask belongs to the EvalCache's generation, so whatever invalidates the cache (the
 * next event, an expression that modified the event) invalidates it too.
 */
export class GuardIndex {
  /** How many scenarios the last `candidates` call found. */
  count = 0;
  private readonly plan: GuardPlan;
  private readonly masks: SubjectMasks;
  private readonly words: number;
  /** The clauses that hold for the current generation. */
  private readonly held: Int32Array;
  /** Per scenario, `words` words: its clauses; all zero when it has no guard. */
  private readonly need: Int32Array;
  /** Per scenario, like `need`: its clauses on eager subjects only. */
  private readonly needEager: Int32Array;
  /** Per scenario: 1 when some of its clauses need a lazy subject. */
  private readonly lazy: Uint8Array;
  /** Per subject: the generation it was computed in. */
  private readonly subjectStamp: Int32Array;
  private readonly eagerSubjects: Int32Array;
  /** Plain-field subjects are read together; per subject its field number, or -1. */
  private readonly reader: FieldReader;
  private readonly fieldOf: Int32Array;
  /** Per derived subject (`PathUnescape(evt.Meta.http_path)`): its base's field, or -1. */
  private readonly baseOf: Int32Array;
  private readonly fields: unknown[];
  private readonly list: Int32Array;
  /** The cache whose generation `held` is for, and that generation. */
  private cache: EvalCache | null = null;
  private gen = 0;

  /** `memoBits`: the string memo's size as a power of two (subject-masks.ts). */
  constructor(scenarios: readonly CompiledScenario[], memoBits = MEMO_BITS) {
    const plan = planGuards(scenarios);
    this.plan = plan;
    this.masks = new SubjectMasks(plan, memoBits);
    const words = plan.words;
    this.words = words;
    this.held = new Int32Array(words);
    this.need = new Int32Array(scenarios.length * words);
    this.needEager = new Int32Array(scenarios.length * words);
    plan.scenarioClauses.forEach((cs, i) => {
      for (const c of cs ?? []) {
        const w = i * words + (c >>> 5);
        this.need[w] = (this.need[w] as number) | (1 << (c & 31));
        if (plan.clauseLazy[c] === 0) {
          this.needEager[w] = (this.needEager[w] as number) | (1 << (c & 31));
        }
      }
    });
    this.list = new Int32Array(scenarios.length);
    this.lazy = Uint8Array.from(plan.scenarioClauses, (cs) =>
      [...(cs ?? [])].some((c) => plan.clauseLazy[c] === 1) ? 1 : 0,
    );
    const n = plan.subjects.length;
    this.subjectStamp = new Int32Array(n);
    this.eagerSubjects = Int32Array.from(plan.subjects.flatMap((sp, i) => (sp.lazy ? [] : [i])));
    const paths: SubjectPath[] = [];
    const field = (p: SubjectPath | undefined, lazy: boolean): number => {
      if (!p || lazy) return -1;
      paths.push(p);
      return paths.length - 1;
    };
    this.fieldOf = Int32Array.from(plan.subjects, (sp) => field(sp.subject.path, sp.lazy));
    this.baseOf = Int32Array.from(plan.subjects, (sp) => field(sp.subject.derived?.base, sp.lazy));
    this.reader = new FieldReader(paths);
    this.fields = new Array<unknown>(paths.length).fill(MISS);
  }

  /**
   * The scenarios from `from` on that may match the event in `env.evt`, ascending, in a
   * buffer reused by the next call; `count` tells how many. Valid while the cache's
   * generation stays the same: the caller calls `cache.next()` for each event and after
   * running an expression with effects, then asks again.
   */
  candidates(from: number, env: Record<string, unknown>, cache: EvalCache): Int32Array {
    if (cache.gen !== this.gen || cache !== this.cache) this.prepare(cache, env);
    const list = this.list;
    let n = 0;
    for (let i = from; i < list.length; i++) {
      if (this.holds(i, env, cache)) list[n++] = i;
    }
    this.count = n;
    return list;
  }

  /**
   * Scenario `i`'s guard: every clause held, or every clause on eager subjects held and
   * the lazy ones hold once computed. Lazy subjects allocate (`Upper(evt.Parsed.verb)`),
   * so they are computed only for a scenario that nothing else rules out.
   */
  private holds(i: number, env: Record<string, unknown>, cache: EvalCache): boolean {
    if (this.covered(this.need, i)) return true;
    return this.lazy[i] === 1 && this.covered(this.needEager, i) && this.lazyHolds(i, env, cache);
  }

  /** Whether the event holds every clause of scenario `i` in `need`. */
  private covered(need: Int32Array, i: number): boolean {
    const words = this.words;
    const held = this.held;
    const base = i * words;
    for (let w = 0; w < words; w++) {
      const x = need[base + w] as number;
      if (((held[w] as number) & x) !== x) return false;
    }
    return true;
  }

  /** Scenario `i` lacks lazy clauses only: they are computed and checked. */
  private lazyHolds(i: number, env: Record<string, unknown>, cache: EvalCache): boolean {
    const clauses = this.plan.scenarioClauses[i] as Int32Array;
    const lazy = this.plan.clauseLazy;
    for (let k = 0; k < clauses.length; k++) {
      const c = clauses[k] as number;
      if (hasBit(this.held, c)) continue;
      if (lazy[c] === 0 || !this.lazyFires(c, env, cache)) return false;
    }
    return true;
  }

  /** Computes the lazy subjects clause `c` depends on; whether it then holds. */
  private lazyFires(c: number, env: Record<string, unknown>, cache: EvalCache): boolean {
    const subjects = this.plan.clauseSubjects[c] as Int32Array;
    for (let j = 0; j < subjects.length; j++) {
      const s = subjects[j] as number;
      if (this.subjectStamp[s] === this.gen) continue;
      this.compute(s, env, cache);
      if (hasBit(this.held, c)) return true;
    }
    return false;
  }

  private prepare(cache: EvalCache, env: Record<string, unknown>): void {
    // A cache's generation only grows, except when it wraps (or another cache comes).
    if (cache !== this.cache || cache.gen < this.gen) this.subjectStamp.fill(0);
    this.cache = cache;
    this.gen = cache.gen;
    const held = this.held;
    for (let w = 0; w < held.length; w++) held[w] = 0;
    this.masks.begin();
    const fields = this.fields;
    this.reader.read(env, fields);
    const eager = this.eagerSubjects;
    for (let k = 0; k < eager.length; k++) {
      const s = eager[k] as number;
      const f = this.fieldOf[s] as number;
      if (f >= 0 && fields[f] !== MISS) this.found(s, fields[f]);
      else {
        const b = this.baseOf[s] as number;
        if (b >= 0 && fields[b] !== MISS) this.derive(s, fields[b], cache);
        else this.compute(s, env, cache);
      }
    }
  }

  /** A helper of a field the reader has: applied here, shared with the filters via the cache. */
  private derive(s: number, base: unknown, cache: EvalCache): void {
    const derived = (this.plan.subjects[s] as SubjectPlan).subject.derived as DerivedSubject;
    if (typeof base === "string") {
      this.subjectStamp[s] = this.gen;
      const v = this.masks.addDerived(s, base, derived.apply, this.held);
      if (v !== DERIVE_FAILED) cache.store(derived.slot, v);
      return;
    }
    let v: unknown;
    try {
      v = derived.apply(base);
    } catch {
      this.failed(s);
      return;
    }
    cache.store(derived.slot, v);
    this.found(s, v);
  }

  /** Computes subject `s` with its compiled expression. */
  private compute(s: number, env: Record<string, unknown>, cache: EvalCache): void {
    let v: unknown;
    try {
      v = (this.plan.subjects[s] as SubjectPlan).subject.run(env, cache);
    } catch {
      this.failed(s);
      return;
    }
    this.found(s, v);
  }

  /** Computing subject `s` failed: the filters will fail (or not) on their own, unguarded. */
  private failed(s: number): void {
    this.subjectStamp[s] = this.gen;
    this.masks.failed(s, this.held);
  }

  /** Subject `s` has value `v` this event: adds the clauses it satisfies. */
  private found(s: number, v: unknown): void {
    this.subjectStamp[s] = this.gen;
    this.masks.add(s, v, this.held);
  }
}
