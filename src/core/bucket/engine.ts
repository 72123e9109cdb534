import type { Alert } from "../alert";
import type { Event } from "../event";
import type { CompiledScenario } from "../scenario/types";
import { expiresAt, pour, tick } from "./pour";
import { type MatchVisitor, ScenarioRouter } from "./router";
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

/**
 * Runs many scenarios over a stream of events: the ScenarioRouter (router.ts: guards,
 * filter, groupby) says which buckets an event goes to, and the engine pours it into
 * each, one bucket state per (scenario, key). Time is the events' own time;
 * idle buckets (leaked out, blackhole over) are swept as event time passes, so memory
 * follows live buckets, not input size. CrowdSec emits nothing at end of input, and
 * neither does this engine; `advance` moves time forward without an event (alarms).
 */
export class BucketEngine {
  private readonly scenarios: readonly CompiledScenario[];
  private readonly buckets: Map<string, BucketState>[];
  private readonly timers = new DeadlineHeap();
  private readonly router: ScenarioRouter;
  /** The alerts of the event being routed (pourMatch adds to them). */
  private pending: Alert[] | undefined;
  private readonly minSweep: number;
  private sweepEvery: number;
  private sinceSweep = 0;
  private clock = Number.NEGATIVE_INFINITY;
  private readonly counters: EngineStats = { events: 0, poured: 0, exprErrors: 0, alerts: 0 };

  constructor(scenarios: readonly CompiledScenario[], opts: EngineOptions = {}) {
    this.scenarios = scenarios;
    this.buckets = scenarios.map(() => new Map());
    this.router = new ScenarioRouter(scenarios);
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
    this.pending = out;
    this.router.route(event, this.pourMatch);
    out = this.pending;
    this.pending = undefined;
    if (++this.sinceSweep >= this.sweepEvery) out = this.sweep(out);
    return this.emit(out);
  }

  /** Pours the routed event into one matching bucket. */
  private readonly pourMatch: MatchVisitor = (i, key, event) => {
    const scenario = this.scenarios[i] as CompiledScenario;
    this.pending = this.pourInto(i, scenario, key, event, this.pending);
    // Its cancel_on, condition… may have modified the event: cached values are stale.
    return scenario.effects === true;
  };

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
    this.counters.exprErrors = this.router.exprErrors;
    return this.counters;
  }

  /** The stored state of a scenario's key (for inspection and tests). */
  stateOf(scenarioIndex: number, key: string): BucketState | undefined {
    return this.buckets[scenarioIndex]?.get(key);
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
