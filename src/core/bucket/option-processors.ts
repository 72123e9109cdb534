import type { CompiledExpr } from "../expr/index";
import {
  leakyEnv,
  type OverflowWork,
  type PourWork,
  type Processor,
  queueEnv,
  runExpr,
  Verdict,
} from "./processor";

/**
 * CrowdSec keeps every distinct value a bucket has seen for the bucket's whole life.
 * A bucket that never overflows nor goes idle would grow without end, so Palisade
 * forgets the oldest values past this many (far beyond any hub scenario's capacity).
 */
export const DISTINCT_CACHE_LIMIT = 1000;

/** `distinct`: drops an event whose value the bucket has already seen (CrowdSec's Uniq). */
export function distinctProcessor(expr: CompiledExpr): Processor {
  return {
    name: "distinct",
    onPour(work) {
      const value = runExpr(expr, { evt: work.event });
      // CrowdSec files any non-string result under the empty string.
      const key = typeof value === "string" ? value : "";
      const seen = work.live.seen ?? [];
      if (seen.includes(key)) return Verdict.Drop;
      const next = work.owned ? seen : seen.slice();
      if (next.length >= DISTINCT_CACHE_LIMIT) next.shift();
      next.push(key);
      work.live.seen = next;
      return Verdict.Continue;
    },
  };
}

/** `cancel_on`: a matching event destroys the bucket without an overflow. */
export function cancelOnProcessor(expr: CompiledExpr): Processor {
  return {
    name: "cancel_on",
    onPour(work) {
      return runExpr(expr, { evt: work.event }) === true ? Verdict.Cancel : Verdict.Continue;
    },
  };
}

/** `condition` (conditional buckets): overflows when the expression holds after a pour. */
export function conditionProcessor(expr: CompiledExpr): Processor {
  return {
    name: "condition",
    afterPour(work: PourWork) {
      const { scenario, live, key } = work;
      const env = {
        evt: work.event,
        queue: queueEnv(scenario, live),
        leaky: leakyEnv(scenario, live, key),
      };
      if (runExpr(expr, env) !== true) return Verdict.Continue;
      work.overflowAt = live.last;
      return Verdict.Overflow;
    },
  };
}

/** `overflow_filter`: an overflow goes through only if the expression is not false. */
export function overflowFilterProcessor(expr: CompiledExpr): Processor {
  return {
    name: "overflow_filter",
    onOverflow(work: OverflowWork) {
      const { scenario, live, key, overflowAt } = work;
      const env = {
        queue: queueEnv(scenario, live),
        signal: work.alert(),
        leaky: leakyEnv(scenario, live, key, overflowAt),
      };
      // CrowdSec keeps the overflow when the filter fails or returns a non-boolean.
      return runExpr(expr, env) !== false;
    },
  };
}

/** `blackhole`: after an overflow, the same key's overflows are discarded for a while. */
export const blackholeProcessor: Processor = {
  name: "blackhole",
  onOverflow(work) {
    const until = work.state.blackholeUntil;
    if (until !== undefined && until > work.overflowAt) return false;
    work.state.blackholeUntil = work.overflowAt + work.scenario.blackhole;
    return true;
  },
};
