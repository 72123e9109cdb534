import type { Alert } from "../alert";
import type { Event } from "../event";
import { type CompiledExpr, EvalCache, ExprEvalError } from "../expr/index";
import type { CompiledScenario } from "../scenario/types";
import { GuardIndex } from "./guard-index";
import { expiresAt, pour, tick } from "./pour";
import type { BucketState } from "./state";
import { DeadlineHeap } from "./timers";

export interface EngineOptions {
  /**
   * Fewest events between two sweeps of idle buckets (default 4096). The engine waits at
   * least as many events as there are live buckets, so sweeping costs O(1) per event.
   */
  minSweepInterval?: number;
}

export interface EngineStats {
  /** Events given to `process`. */
  events: number;
  /** (event, scenario) pairs that passed the filter and were poured. */
  poured: number;
  /** Filter or groupby expressions that failed at run time or gave a non-string key. */
  exprErrors: number;
  /** Alerts returned. */
  alerts: number;
}

const NO_ALERTS: readonly Alert[] = Object.freeze([]);
/** What `run` yields for an expression that failed (never a value an expression has). */
const FAILED: unique symbol = Symbol("failed");

/**
 * Runs many scenarios over a stream of events: guards first (guard-index.ts: the
 * scenarios an event cannot match are skipped without running their filter), then the
 * filter, groupby only for matching events, one bucket state per (scenario, key). Filters
 * and groupbys of one event share an EvalCache, so `Upper(evt.Meta.http_path)` is
 * computed once however many scenarios read it. Time is the events' own time;
 * idle buckets (leaked out, blackhole over) are swept as event time passes, so memory
 * follows live buckets, not input size. CrowdSec emits nothing at end of input, and
 * neither does this engine; `advance` moves time forward without an event (alarms).
 */
export class BucketEngine {
  private readonly scenarios: readonly CompiledScenario[];
  private readonly buckets: Map<string, BucketState>[];
  private readonly timers = new DeadlineHeap();
  private readonly env: { evt: Event | undefined } = { evt: undefined };
  /** Subexpressions shared by the scenarios' filters and groupbys, once per event. */
  private readonly cache = new EvalCache();
  private readonly guards: GuardIndex;
  private readonly minSweep: number;
  private sweepEvery: number;
  private sinceSweep = 0;
  private clock = Number.NEGATIVE_INFINITY;
  private readonly counters: EngineStats = { events: 0, poured: 0, exprErrors: 0, alerts: 0 };

  constructor(scenarios: readonly CompiledScenario[], opts: EngineOptions = {}) {
    this.scenarios = scenarios;
    this.buckets = scenarios.map(() => new Map());
    this.guards = new GuardIndex(scenarios);
    this.minSweep = opts.minSweepInterval ?? 4096;
    this.sweepEvery = this.minSweep;
  }

  /** Pours one event into every scenario it matches; returns the alerts it caused. */
  process(event: Event): readonly Alert[] {
    this.counters.events++;
    if (event.Whitelisted) return NO_ALERTS;
    const now = event.Time;
    if (now > this.clock) this.clock = now;
    let out: Alert[] | undefined;
    if (this.timers.next() <= now) out = this.fireTimers(now, out);
    const env = this.env;
    env.evt = event;
    out = this.pourEvent(event, out);
    env.evt = undefined;
    if (++this.sinceSweep >= this.sweepEvery) out = this.sweep(out);
    return this.emit(out);
  }

  /**
   * Runs the filters of the scenarios the guards admit, in scenario order, and pours the
   * event into those that match. An expression that may have modified the event starts a
   * new cache generation; the guards are then asked again about the scenarios left.
   */
  private pourEvent(event: Event, out: Alert[] | undefined): Alert[] | undefined {
    const env = this.env;
    const cache = this.cache;
    cache.next();
    let gen = cache.gen;
    let list = this.guards.candidates(0, env, cache);
    let n = this.guards.count;
    for (let k = 0; k < n; k++) {
      const i = list[k] as number;
      const scenario = this.scenarios[i] as CompiledScenario;
      if (this.matches(scenario, env)) {
        const key = this.keyOf(scenario, env);
        if (key !== undefined) {
          out = this.pourInto(i, scenario, key, event, out);
          // Its cancel_on, condition… may have modified the event: cached values are stale.
          if (scenario.effects === true) cache.next();
        }
      }
      if (cache.gen !== gen) {
        gen = cache.gen;
        list = this.guards.candidates(i + 1, env, cache);
        n = this.guards.count;
        k = -1;
      }
    }
    return out;
  }

  /** Moves time to `now` with no event: fires due timed overflows and sweeps idle buckets. */
  advance(now: number): readonly Alert[] {
    if (now > this.clock) this.clock = now;
    const out = this.fireTimers(this.clock, undefined);
    return this.emit(this.sweep(out));
  }

  /** Buckets (and blackholes) currently remembered. */
  get liveBuckets(): number {
    let n = 0;
    for (const map of this.buckets) n += map.size;
    return n;
  }

  get stats(): Readonly<EngineStats> {
    return this.counters;
  }

  /** The stored state of a scenario's key (for inspection and tests). */
  stateOf(scenarioIndex: number, key: string): BucketState | undefined {
    return this.buckets[scenarioIndex]?.get(key);
  }

  private matches(scenario: CompiledScenario, env: Record<string, unknown>): boolean {
    const v = this.run(scenario.filter, env);
    if (v === FAILED) this.counters.exprErrors++;
    return v === true;
  }

  private keyOf(scenario: CompiledScenario, env: Record<string, unknown>): string | undefined {
    if (!scenario.groupby) return "";
    const key = this.run(scenario.groupby, env);
    if (typeof key === "string") return key;
    this.counters.exprErrors++;
    return undefined;
  }

  /** Runs a filter or groupby with the event's cache; FAILED when evaluation fails. */
  private run(expr: CompiledExpr, env: Record<string, unknown>): unknown {
    try {
      return expr.run(env, this.cache);
    } catch (e) {
      if (!(e instanceof ExprEvalError)) throw e;
      return FAILED;
    } finally {
      if (expr.effects !== false) this.cache.next();
    }
  }

  private pourInto(
    index: number,
    scenario: CompiledScenario,
    key: string,
    event: Event,
    out: Alert[] | undefined,
  ): Alert[] | undefined {
    this.counters.poured++;
    const map = this.buckets[index] as Map<string, BucketState>;
    const prev = map.get(key);
    const prevFirst = prev?.live?.first;
    // The map's state is replaced by the result: the pour may grow its arrays in place.
    const r = pour(prev, scenario, event, event.Time, key, true);
    if (r.state) map.set(key, r.state);
    else if (prev) map.delete(key);
    const live = r.state?.live;
    if (scenario.duration > 0 && live && live.first !== prevFirst) {
      this.timers.push({
        at: live.first + scenario.duration,
        scenario: index,
        key,
        first: live.first,
      });
    }
    if (r.expired) out = append(out, r.expired);
    if (r.overflow) out = append(out, r.overflow);
    return out;
  }

  private fireTimers(now: number, out: Alert[] | undefined): Alert[] | undefined {
    while (this.timers.next() <= now) {
      const d = this.timers.pop();
      if (!d) break;
      const scenario = this.scenarios[d.scenario] as CompiledScenario;
      const map = this.buckets[d.scenario] as Map<string, BucketState>;
      const state = map.get(d.key);
      if (state?.live?.first !== d.first) continue;
      const r = tick(state, scenario, d.at, d.key);
      if (r.state) map.set(d.key, r.state);
      else map.delete(d.key);
      if (r.overflow) out = append(out, r.overflow);
    }
    return out;
  }

  private sweep(out: Alert[] | undefined): Alert[] | undefined {
    this.sinceSweep = 0;
    let live = 0;
    this.buckets.forEach((map, i) => {
      const scenario = this.scenarios[i] as CompiledScenario;
      for (const [key, state] of map) {
        const at = expiresAt(state, scenario);
        if (at === undefined || at > this.clock) continue;
        const r = tick(state, scenario, this.clock, key);
        if (r.state) map.set(key, r.state);
        else map.delete(key);
        if (r.overflow) out = append(out, r.overflow);
      }
      live += map.size;
    });
    this.sweepEvery = Math.max(this.minSweep, live);
    return out;
  }

  private emit(out: Alert[] | undefined): readonly Alert[] {
    if (!out) return NO_ALERTS;
    this.counters.alerts += out.length;
    return out;
  }
}

function append(out: Alert[] | undefined, alert: Alert): Alert[] {
  if (!out) return [alert];
  out.push(alert);
  return out;
}
