import type { DerivedSubject, EvalCache, SubjectPath } from "../expr/index";
import type { CompiledScenario } from "../scenario/types";
import { ClauseStamps } from "./clause-stamps";
import { FieldReader, MISS } from "./field-reader";
import { type GuardPlan, planGuards, type SubjectPlan } from "./guard-plan";
import { TextAttribution } from "./text-attribution";

/**
 * Which scenarios an event can possibly match, from their filters' guards (expr/guard.ts):
 * a scenario whose guard does not hold is skipped without running its filter.
 *
 * Once per event every subject (`evt.Meta.http_path`, `evt.Meta.log_type`, …) is
 * computed — plain fields read together (field-reader.ts), helpers of them applied to the
 * value read — its equality atoms answered by one lookup, and every distinct string
 * among the text subjects scanned once for all literals of all scenarios
 * (text-attribution.ts). Each clause that holds is stamped (clause-stamps.ts); a scenario
 * passes when all its clauses are. Helper subjects compared for equality only
 * (`Upper(evt.Parsed.verb) == 'POST'`) are computed when a scenario gets to them.
 * Stamps are the EvalCache's generation, so whatever invalidates the cache (the next
 * event, an expression that modified the event) invalidates them too.
 */
export class GuardIndex {
  /** How many scenarios the last `candidates` call found. */
  count = 0;
  private readonly plan: GuardPlan;
  private readonly stamps: ClauseStamps;
  private readonly texts: TextAttribution;
  private readonly subjectStamp: Int32Array;
  private readonly values: unknown[];
  private readonly eagerSubjects: Int32Array;
  /** Plain-field subjects are read together; per subject its field number, or -1. */
  private readonly reader: FieldReader;
  private readonly fieldOf: Int32Array;
  /** Per derived subject (`PathUnescape(evt.Meta.http_path)`): its base's field, or -1. */
  private readonly baseOf: Int32Array;
  private readonly fields: unknown[];
  /** Per scenario: its number of clauses (0: no guard, always a candidate). */
  private readonly need: Int32Array;
  /** Per scenario: 1 when some of its clauses need a lazy subject. */
  private readonly lazy: Uint8Array;
  private readonly list: Int32Array;
  /** The cache whose generations the stamps are. */
  private cache: EvalCache | null = null;

  constructor(scenarios: readonly CompiledScenario[]) {
    const plan = planGuards(scenarios);
    this.plan = plan;
    this.stamps = new ClauseStamps(plan.clauseScenarios, scenarios.length);
    this.list = new Int32Array(scenarios.length);
    this.need = Int32Array.from(plan.scenarioClauses, (c) => c?.length ?? 0);
    this.lazy = Uint8Array.from(plan.scenarioClauses, (cs) =>
      [...(cs ?? [])].some((c) => plan.clauseLazy[c] === 1) ? 1 : 0,
    );
    const n = plan.subjects.length;
    this.subjectStamp = new Int32Array(n);
    this.values = new Array<unknown>(n).fill(null);
    this.texts = new TextAttribution(plan, this.stamps, this.values);
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
    if (cache.gen !== this.stamps.gen || cache !== this.cache) this.prepare(cache, env);
    const list = this.list;
    let n = 0;
    for (let i = from; i < list.length; i++) if (this.holds(i, env, cache)) list[n++] = i;
    this.count = n;
    return list;
  }

  /** Whether scenario `i` may match the event in `env.evt`: its guard holds, or it has none. */
  admits(i: number, env: Record<string, unknown>, cache: EvalCache): boolean {
    if (cache.gen !== this.stamps.gen || cache !== this.cache) this.prepare(cache, env);
    return this.holds(i, env, cache);
  }

  private holds(i: number, env: Record<string, unknown>, cache: EvalCache): boolean {
    const want = this.need[i] as number;
    if (this.stamps.heldBy(i) === want) return true;
    return this.lazy[i] === 1 && this.lazyHolds(i, env, cache);
  }

  /** Scenario `i` lacks clauses: those that need a lazy subject are computed and checked. */
  private lazyHolds(i: number, env: Record<string, unknown>, cache: EvalCache): boolean {
    const clauses = this.plan.scenarioClauses[i] as Int32Array;
    const lazy = this.plan.clauseLazy;
    for (let k = 0; k < clauses.length; k++) {
      const c = clauses[k] as number;
      if (this.stamps.has(c)) continue;
      if (lazy[c] === 0 || !this.lazyFires(c, env, cache)) return false;
    }
    return true;
  }

  /** Computes the lazy subjects clause `c` depends on; whether it then holds. */
  private lazyFires(c: number, env: Record<string, unknown>, cache: EvalCache): boolean {
    const subjects = this.plan.clauseSubjects[c] as Int32Array;
    for (let j = 0; j < subjects.length; j++) {
      const s = subjects[j] as number;
      if (this.subjectStamp[s] === this.stamps.gen) continue;
      this.compute(s, env, cache);
      if (this.stamps.has(c)) return true;
    }
    return false;
  }

  private prepare(cache: EvalCache, env: Record<string, unknown>): void {
    // A cache's generation only grows, except when it wraps (or another cache comes).
    const fresh = cache !== this.cache;
    if (fresh || cache.gen < this.stamps.gen) this.subjectStamp.fill(0);
    this.stamps.begin(cache.gen, fresh);
    this.cache = cache;
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
    this.texts.attribute();
  }

  /** A helper of a field the reader has: applied here, shared with the filters via the cache. */
  private derive(s: number, base: unknown, cache: EvalCache): void {
    const derived = (this.plan.subjects[s] as SubjectPlan).subject.derived as DerivedSubject;
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
    this.subjectStamp[s] = this.stamps.gen;
    this.texts.failed(s);
    this.stamps.markAll((this.plan.subjects[s] as SubjectPlan).clauses);
  }

  /** Subject `s` has value `v` this event: answers its equality atoms. */
  private found(s: number, v: unknown): void {
    this.subjectStamp[s] = this.stamps.gen;
    this.values[s] = v;
    this.texts.found(s);
    const equals = (this.plan.subjects[s] as SubjectPlan).equals;
    if (equals === null) return;
    const eq = equals.get(v);
    if (eq !== undefined) this.stamps.markAll(eq);
  }
}
