import type { Event } from "../event";
import { type CompiledExpr, EvalCache, ExprEvalError } from "../expr/index";
import type { CompiledScenario } from "../scenario/types";
import { GuardIndex } from "./guard/index";

/** `[scenario name, bucket key]`: the key is the scenario's groupby value ("" without one). */
export type BucketMatch = [scenario: string, key: string];

/**
 * Called for each scenario an event matches, in scenario order, with the scenario's index
 * and the bucket key. Returns true when it may have modified the event (a pour whose
 * cancel_on, condition… ran `evt.SetMeta`): values derived from the event are then stale.
 */
export type MatchVisitor = (index: number, key: string, event: Event) => boolean;

/** What `run` yields for an expression that failed (never a value an expression has). */
const FAILED: unique symbol = Symbol("failed");

/**
 * Which buckets an event belongs to: guards first (the scenarios an event cannot match are
 * skipped without running their filter, guard/), then each filter, then the groupby of
 * those that match. Filters and groupbys of one event share an EvalCache, so
 * `Upper(evt.Meta.http_path)` is computed once however many scenarios read it. The
 * BucketEngine pours as it routes; the Worker's ingest routes only, and the
 * SourceTracker pours later.
 */
export class ScenarioRouter {
  private readonly env: { evt: Event | undefined } = { evt: undefined };
  private readonly cache = new EvalCache();
  private readonly guards: GuardIndex;
  private found: BucketMatch[] | undefined;
  /** Filter or groupby expressions that failed at run time or gave a non-string key. */
  exprErrors = 0;

  constructor(private readonly scenarios: readonly CompiledScenario[]) {
    this.guards = new GuardIndex(scenarios);
  }

  /**
   * Visits every scenario the event matches. An expression or a visit that may have
   * modified the event starts a new cache generation; the guards are then asked again
   * about the scenarios left.
   */
  route(event: Event, visit: MatchVisitor): void {
    if (event.Whitelisted) return;
    const env = this.env;
    const cache = this.cache;
    env.evt = event;
    cache.next();
    let gen = cache.gen;
    let list = this.guards.candidates(0, env, cache);
    let n = this.guards.count;
    for (let k = 0; k < n; k++) {
      const i = list[k] as number;
      const scenario = this.scenarios[i] as CompiledScenario;
      if (this.run(scenario.filter, env) === true) {
        const key = this.keyOf(scenario, env);
        if (key !== undefined && visit(i, key, event)) cache.next();
      }
      if (cache.gen !== gen) {
        gen = cache.gen;
        list = this.guards.candidates(i + 1, env, cache);
        n = this.guards.count;
        k = -1;
      }
    }
    env.evt = undefined;
  }

  /** The `[scenario, key]` pairs of the buckets the event goes to, or undefined when none. */
  matches(event: Event): BucketMatch[] | undefined {
    this.found = undefined;
    this.route(event, this.collect);
    const out = this.found;
    this.found = undefined;
    return out;
  }

  private readonly collect: MatchVisitor = (i, key) => {
    const match: BucketMatch = [(this.scenarios[i] as CompiledScenario).name, key];
    if (this.found) this.found.push(match);
    else this.found = [match];
    return false;
  };

  private keyOf(scenario: CompiledScenario, env: Record<string, unknown>): string | undefined {
    if (!scenario.groupby) return "";
    const key = this.run(scenario.groupby, env);
    if (typeof key === "string") return key;
    if (key !== FAILED) this.exprErrors++;
    return undefined;
  }

  /** Runs a filter or groupby with the event's cache; FAILED (counted) when evaluation fails. */
  private run(expr: CompiledExpr, env: Record<string, unknown>): unknown {
    try {
      return expr.run(env, this.cache);
    } catch (e) {
      if (!(e instanceof ExprEvalError)) throw e;
      this.exprErrors++;
      return FAILED;
    } finally {
      if (expr.effects !== false) this.cache.next();
    }
  }
}
