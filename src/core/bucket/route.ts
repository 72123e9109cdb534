import type { Event } from "../event";
import type { CompiledScenario } from "../scenario/types";
import { runExpr } from "./processor";

/**
 * Which bucket of `scenario` an event goes to: the groupby value ("" without groupby),
 * or undefined when the filter rejects the event or the groupby gives no string (CrowdSec
 * refuses such a key). For callers that pour one key at a time (a Durable Object per
 * source); the engine does the same with less allocation.
 */
export function bucketKeyOf(scenario: CompiledScenario, event: Event): string | undefined {
  if (event.Whitelisted) return undefined;
  const env = { evt: event };
  if (runExpr(scenario.filter, env) !== true) return undefined;
  if (!scenario.groupby) return "";
  const key = runExpr(scenario.groupby, env);
  return typeof key === "string" ? key : undefined;
}
