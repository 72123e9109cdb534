import { GuardIndex } from "../core/bucket/guard-index";
import type { Event } from "../core/event";
import { type CompiledExpr, EvalCache, ExprEvalError } from "../core/expr/index";
import type { CompiledScenario } from "../core/scenario/index";
import type { BucketMatch } from "../durable/tracker/index";

/** What `run` yields for an expression that failed (never a value an expression has). */
const FAILED: unique symbol = Symbol("failed");

/**
 * Which buckets an event belongs to: every scenario's filter, then its groupby, run once
 * per event in the Worker, as the core's BucketEngine does (guards skip scenarios that
 * cannot match; shared subexpressions are computed once per event). Events matching no
 * scenario stop here, before any Durable Object is called.
 */
export class ScenarioRouter {
  private readonly env: { evt: Event | undefined } = { evt: undefined };
  private readonly cache = new EvalCache();
  private readonly guards: GuardIndex;
  /** Filter or groupby expressions that failed at run time (treated as no match). */
  exprErrors = 0;

  constructor(private readonly scenarios: readonly CompiledScenario[]) {
    this.guards = new GuardIndex(scenarios);
  }

  /** The `[scenario, key]` pairs the event goes to, or undefined when none. */
  route(event: Event): BucketMatch[] | undefined {
    if (event.Whitelisted) return undefined;
    const env = this.env;
    env.evt = event;
    this.cache.next();
    let out: BucketMatch[] | undefined;
    const list = this.scenarios;
    for (let i = 0; i < list.length; i++) {
      const scenario = list[i] as CompiledScenario;
      if (!this.guards.admits(i, env, this.cache)) continue;
      if (this.run(scenario.filter, env) !== true) continue;
      const key = scenario.groupby ? this.run(scenario.groupby, env) : "";
      if (typeof key !== "string") {
        this.exprErrors++;
        continue;
      }
      if (out) out.push([scenario.name, key]);
      else out = [[scenario.name, key]];
    }
    env.evt = undefined;
    return out;
  }

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
