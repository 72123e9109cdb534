import type { Alert } from "../alert";
import type { Event } from "../event";
import { type CompiledExpr, ExprEvalError } from "../expr/index";
import type { BucketState, LiveBucket } from "./state";

/**
 * A hook in a bucket's life, after CrowdSec's leakybucket `Processor`: bucket kinds
 * contribute their core processor and scenario options (distinct, cancel_on, blackhole,
 * overflow_filter, condition) add theirs. The pour loop runs them without knowing which
 * kind or option they belong to.
 */
export interface Processor {
  readonly name: string;
  /** Before the event enters the bucket. */
  onPour?(work: PourWork): Verdict;
  /** After the event entered the bucket. */
  afterPour?(work: PourWork): Verdict;
  /** When the bucket overflows; returning false discards the overflow. */
  onOverflow?(work: OverflowWork): boolean;
}

/**
 * The parts of a compiled scenario (scenario/types.ts `CompiledScenario`) a processor
 * reads, so that scenarios can hold processors without this module depending on them.
 */
export interface BucketSpec {
  readonly name: string;
  readonly capacity: number;
  readonly leakspeed: number;
  /** How long an untouched bucket lives, ms (CrowdSec's `Leaky.Duration`). */
  readonly lifetime: number;
  readonly blackhole: number;
  readonly queueLimit: number;
}

export const Verdict = {
  /** Let the event go on. */
  Continue: 0,
  /** Ignore this event; the bucket stays as it was. */
  Drop: 1,
  /** Destroy the bucket without an overflow (cancel_on). */
  Cancel: 2,
  /** The bucket overflows now, at `work.overflowAt`. */
  Overflow: 3,
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** What a pour hook sees; `live` is the pour's private working copy and may be changed. */
export interface PourWork {
  readonly scenario: BucketSpec;
  readonly event: Event;
  readonly now: number;
  readonly key: string;
  live: LiveBucket;
  /** Set by whoever returns `Verdict.Overflow`. */
  overflowAt: number;
  /**
   * The caller gave up the state it poured into (pour's `owned`): `live`'s arrays may be
   * appended to in place (state.ts `queueAdd`, `seenAdd`) instead of copied.
   */
  readonly owned: boolean;
}

/** What an overflow hook sees; `state` is the pour's private copy and may be changed. */
export interface OverflowWork {
  readonly scenario: BucketSpec;
  readonly key: string;
  readonly live: LiveBucket;
  readonly overflowAt: number;
  state: BucketState;
  /** The alert the overflow would produce (built on first use, undefined if it has no valid source). */
  alert(): Alert | undefined;
}

/**
 * Runs a user expression; an evaluation failure (ExprEvalError) yields undefined, which
 * every caller reads as "no", as CrowdSec logs and moves on. Other exceptions are bugs.
 */
export function runExpr(expr: CompiledExpr, env: Record<string, unknown>): unknown {
  try {
    return expr.run(env);
  } catch (e) {
    if (e instanceof ExprEvalError) return undefined;
    throw e;
  }
}

/** The `queue` variable CrowdSec hands to condition and overflow_filter expressions. */
export function queueEnv(scenario: BucketSpec, live: LiveBucket): Record<string, unknown> {
  return { Queue: live.queue, L: scenario.queueLimit };
}

/** The `leaky` variable (CrowdSec's bucket), times in ms. */
export function leakyEnv(
  scenario: BucketSpec,
  live: LiveBucket,
  key: string,
  overflowAt?: number,
): Record<string, unknown> {
  return {
    Name: scenario.name,
    Mapkey: key,
    Capacity: scenario.capacity,
    Leakspeed: scenario.leakspeed,
    Duration: scenario.lifetime,
    Total_count: live.count,
    First_ts: live.first,
    Last_ts: live.last,
    Ovflw_ts: overflowAt ?? 0,
    Queue: queueEnv(scenario, live),
  };
}
