import type { Alert } from "../alert";
import type { Event } from "../event";
import type { CompiledScenario } from "../scenario/types";
import { buildAlert } from "./alert-build";
import { allow, initialTokens } from "./limiter";
import { type OverflowWork, type PourWork, Verdict } from "./processor";
import { type BucketState, compact, copyLive, type LiveBucket, queueAdd } from "./state";

export interface PourResult {
  /** The key's new state; undefined when nothing needs remembering (drop the record). */
  state: BucketState | undefined;
  /** The overflow this event caused, if any. */
  overflow?: Alert;
  /**
   * A timed overflow (counter `duration`) that came due before this event: the old
   * bucket's alert, emitted lazily because time only moves when events arrive.
   */
  expired?: Alert;
}

export interface TickResult {
  state: BucketState | undefined;
  /** A timed overflow that came due. */
  overflow?: Alert;
}

/**
 * Pours one event into the bucket of (scenario, key). Pure: `state` and `event` are not
 * modified, the result shares unchanged parts with the input. `now` is the event's own
 * time; the bucket leaks lazily from its previous update to `now`.
 *
 * The scenario's filter and groupby are the caller's business (the engine evaluates them
 * once per event); `key` is the groupby value, exposed to expressions as `leaky.Mapkey`.
 *
 * `owned`: the caller replaces `state` with the result and never reads it again (the
 * engine's map), so the bucket's event queue and distinct cache may grow in place. An
 * event that `distinct` drops appends nothing, so the old state stays as it was.
 */
export function pour(
  state: BucketState | undefined,
  scenario: CompiledScenario,
  event: Event,
  now: number,
  key = "",
  owned = false,
): PourResult {
  const result: PourResult = { state: undefined };
  const s = carryBlackhole(state, now);
  let live = state?.live;
  if (live && timedDue(scenario, live, now)) {
    const alert = overflow(s, scenario, live, live.first + scenario.duration, key);
    if (alert) result.expired = alert;
    live = undefined;
  } else if (live && idle(scenario, live, now)) {
    live = undefined;
  }
  const work: PourWork = {
    scenario,
    event,
    now,
    key,
    live: live ? copyLive(live) : freshLive(scenario, now),
    overflowAt: now,
    owned,
  };
  const verdict = runPour(work, scenario);
  if (verdict === Verdict.Overflow) {
    const alert = overflow(s, scenario, work.live, work.overflowAt, key);
    if (alert) result.overflow = alert;
  } else if (verdict === Verdict.Continue) {
    s.live = work.live;
  } else if (verdict === Verdict.Drop && live) {
    s.live = live;
  }
  result.state = compact(s);
  return result;
}

/**
 * Advances a key's state to `now` without an event: emits a timed overflow that came
 * due, forgets a bucket that went idle and a blackhole that ended. For alarms and sweeps.
 */
export function tick(
  state: BucketState,
  scenario: CompiledScenario,
  now: number,
  key = "",
): TickResult {
  const s = carryBlackhole(state, now);
  const live = state.live;
  if (live && timedDue(scenario, live, now)) {
    const alert = overflow(s, scenario, live, live.first + scenario.duration, key);
    const state2 = compact(s);
    return alert ? { state: state2, overflow: alert } : { state: state2 };
  }
  if (live && !idle(scenario, live, now)) s.live = live;
  return { state: compact(s) };
}

/**
 * The earliest instant from which `tick` would change this state (timed overflow due,
 * bucket idle, blackhole over), or undefined if it never will. What a Durable Object alarm
 * is set to; tick again at the next `expiresAt` until the state is gone.
 */
export function expiresAt(state: BucketState, scenario: CompiledScenario): number | undefined {
  let at = state.blackholeUntil;
  const live = state.live;
  if (live) {
    const end =
      scenario.duration > 0 ? live.first + scenario.duration : live.last + scenario.lifetime + 1;
    at = at === undefined || end < at ? end : at;
  }
  return at;
}

function carryBlackhole(state: BucketState | undefined, now: number): BucketState {
  const s: BucketState = { v: 1 };
  const until = state?.blackholeUntil;
  if (until !== undefined && until > now) s.blackholeUntil = until;
  return s;
}

function timedDue(scenario: CompiledScenario, live: LiveBucket, now: number): boolean {
  return scenario.duration > 0 && now >= live.first + scenario.duration;
}

/** CrowdSec destroys a bucket nobody poured into for its whole lifetime (underflow). */
function idle(scenario: CompiledScenario, live: LiveBucket, now: number): boolean {
  return scenario.duration <= 0 && now > live.last + scenario.lifetime;
}

function freshLive(scenario: CompiledScenario, now: number): LiveBucket {
  const tokens =
    scenario.kind.limited && scenario.limit > 0
      ? initialTokens(scenario.capacity, scenario.limit)
      : 0;
  return { first: now, last: now, count: 0, tokens, tokensAt: now, queue: [] };
}

function runPour(work: PourWork, scenario: CompiledScenario): Verdict {
  const processors = scenario.processors;
  for (const p of processors) {
    const v = p.onPour ? p.onPour(work) : Verdict.Continue;
    if (v !== Verdict.Continue) return v;
  }
  if (corePour(work, scenario)) return Verdict.Overflow;
  for (const p of processors) {
    const v = p.afterPour ? p.afterPour(work) : Verdict.Continue;
    if (v !== Verdict.Continue) return v;
  }
  return Verdict.Continue;
}

/** CrowdSec's (time-machine) Pour: count, stamp, take a token, queue the event. */
function corePour(work: PourWork, scenario: CompiledScenario): boolean {
  const { live, now } = work;
  live.count += 1;
  live.last = now;
  const limited = scenario.kind.limited && scenario.limit > 0;
  const allowed = !limited || allow(live, scenario.capacity, scenario.limit, now);
  live.queue = queueAdd(live.queue, work.event, scenario.queueLimit, work.owned);
  if (allowed) return false;
  work.overflowAt = now;
  return true;
}

/** Runs the overflow hooks; the bucket is gone either way, the alert only if none discards it. */
function overflow(
  s: BucketState,
  scenario: CompiledScenario,
  live: LiveBucket,
  overflowAt: number,
  key: string,
): Alert | undefined {
  let built = false;
  let alert: Alert | undefined;
  const work: OverflowWork = {
    scenario,
    key,
    live,
    overflowAt,
    state: s,
    alert() {
      if (!built) {
        alert = buildAlert(scenario, live, overflowAt);
        built = true;
      }
      return alert;
    },
  };
  for (const p of scenario.processors) {
    if (p.onOverflow && !p.onOverflow(work)) return undefined;
  }
  return work.alert();
}
