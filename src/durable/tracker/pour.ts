import type { Alert } from "../../core/alert";
import { type BucketState, expiresAt, pour, tick } from "../../core/bucket/index";
import {
  addressCompanions,
  alertPerSource,
  type DecisionResult,
  decide,
} from "../../core/profile/index";
import type { CompiledScenario } from "../../core/scenario/index";
import { type AlertRecord, alertRecordOf } from "../ledger/records";
import type { DetectionPack } from "../pack";
import type { PourRequest, PourSummary, RoutedEvent } from "./messages";
import type { TrackerStore } from "./store";

/**
 * The SourceTracker's synchronous work, run inside one storage transaction: pour events
 * into buckets, tick due buckets, turn alerts into decisions queued for the Ledger.
 * Buckets leak on the log's own time; decisions run on the wall clock.
 */

/** How long a tracker remembers an applied batch id (retries come within minutes). */
const APPLIED_MEMORY_MS = 3 * 24 * 3_600_000;
/** Event times further ahead of the wall clock do not move the tracker's log clock. */
const FUTURE_SLACK_MS = 24 * 3_600_000;

interface Slot {
  scenario: CompiledScenario;
  key: string;
  hash: string | undefined;
  state: BucketState | undefined;
}

function emptySummary(): PourSummary {
  return { duplicate: false, poured: 0, skipped: 0, alerts: 0, decisions: [] };
}

export function applyPour(
  store: TrackerStore,
  pack: DetectionPack,
  req: PourRequest,
  wall: number,
): PourSummary {
  const summary = emptySummary();
  const slots = new Map<string, Slot>();
  const alerts: Alert[] = [];
  let latest = Number.NEGATIVE_INFINITY;
  for (const { event, matches } of inTimeOrder(req.events)) {
    if (event.Time > latest) latest = event.Time;
    for (const [name, key] of matches) {
      const scenario = pack.byName.get(name);
      if (!scenario) {
        summary.skipped++;
        continue;
      }
      const id = `${name}\n${key}`;
      let slot = slots.get(id);
      if (!slot) {
        const hash = pack.hashOf.get(name);
        slot = { scenario, key, hash, state: store.loadBucket(name, key, hash) };
        slots.set(id, slot);
      }
      const r = pour(slot.state, scenario, event, event.Time, key);
      slot.state = r.state;
      summary.poured++;
      if (r.expired) alerts.push(r.expired);
      if (r.overflow) alerts.push(r.overflow);
    }
  }
  for (const s of slots.values()) {
    const expires = s.state && expiresAt(s.state, s.scenario);
    store.saveBucket(s.scenario.name, s.key, s.state, expires, s.hash);
  }
  // A line dated far in the future (a broken clock, a forged line) must not make every
  // bucket of this source look idle to the alarm.
  if (latest > Number.NEGATIVE_INFINITY && latest <= wall + FUTURE_SLACK_MS) {
    store.advanceClock(latest, wall);
  }
  for (const alert of alerts) decideOn(store, pack, alert, wall, summary);
  store.markApplied(req.apply, wall);
  store.pruneApplied(wall - APPLIED_MEMORY_MS);
  return summary;
}

/** Batches arrive in log order; a stable sort only when they do not. */
function inTimeOrder(events: readonly RoutedEvent[]): readonly RoutedEvent[] {
  for (let i = 1; i < events.length; i++) {
    if ((events[i] as RoutedEvent).event.Time < (events[i - 1] as RoutedEvent).event.Time) {
      return [...events].sort((a, b) => a.event.Time - b.event.Time);
    }
  }
  return events;
}

export interface TickOutcome {
  alerts: number;
  decisions: number;
  /** Rows that could not be ticked (corrupt state, unknown scenario, a throwing tick), deleted. */
  poisoned: string[];
}

/**
 * Advances every bucket due at `logNow` (log time): a timed overflow fires, an idle
 * bucket or an ended blackhole is forgotten. A row that cannot be ticked is deleted and
 * reported, so the alarm never spins on it.
 */
export function tickBuckets(
  store: TrackerStore,
  pack: DetectionPack,
  logNow: number,
  wall: number,
  limit: number,
): TickOutcome {
  const out: TickOutcome = { alerts: 0, decisions: 0, poisoned: [] };
  const summary = emptySummary();
  for (const row of store.dueBuckets(logNow, limit)) {
    const scenario = pack.byName.get(row.scenario);
    const hash = pack.hashOf.get(row.scenario);
    // A scenario removed, disabled or changed since (runtime content): its bucket ends.
    if (!scenario || (hash !== undefined && row.hash !== null && row.hash !== hash)) {
      store.deleteBucket(row.scenario, row.key);
      continue;
    }
    try {
      const state = store.loadBucket(row.scenario, row.key);
      if (!state) throw new Error("unreadable state");
      const r = tick(state, scenario, logNow, row.key);
      const next = r.state && expiresAt(r.state, scenario);
      // A state still due after its tick would wake the alarm forever: drop it.
      if (next !== undefined && next <= logNow) throw new Error("tick did not advance");
      store.saveBucket(row.scenario, row.key, r.state, next, hash);
      if (r.overflow) decideOn(store, pack, r.overflow, wall, summary);
    } catch (e) {
      store.deleteBucket(row.scenario, row.key);
      out.poisoned.push(`${row.scenario} ${row.key}: ${e instanceof Error ? e.message : e}`);
    }
  }
  out.alerts = summary.alerts;
  out.decisions = summary.decisions.length;
  return out;
}

/** Alert → profiles (with this source's history: escalation) → decisions, queued for the Ledger. */
function decideOn(
  store: TrackerStore,
  pack: DetectionPack,
  alert: Alert,
  wall: number,
  summary: PourSummary,
): void {
  const simulated = pack.simulated(alert.scenario);
  for (const one of alertPerSource(alert)) {
    const result = decide(one, pack.profiles, {
      history: store.history(),
      allowlist: pack.allowlist,
      now: wall,
    });
    if (simulated) {
      // CrowdSec's simulation: the alert is kept, marked, and nothing is enforced.
      const record = alertRecordOf(one, result.allowlisted);
      record.simulated = true;
      store.addOutbox(record);
      summary.alerts++;
      continue;
    }
    const outbox = store.addOutbox(alertRecord(one, result));
    summary.alerts++;
    // The detected address too, beside its /64: what single-address bouncers can hold.
    for (const d of [...result.decisions, ...addressCompanions(one, result.decisions)]) {
      const until = d.until ?? wall + d.duration;
      const input = { ...d, start: d.start ?? wall, until };
      store.addDecision(input, outbox, wall, one.stop_at);
      summary.decisions.push({
        type: d.type,
        scope: d.scope,
        value: d.value,
        until,
        scenario: d.scenario,
      });
    }
  }
}

function alertRecord(alert: Alert, result: DecisionResult): AlertRecord {
  const record = alertRecordOf(alert, result.allowlisted);
  const by = result.allowlistedBy;
  if (by) record.allowlisted_by = `${by.reason} (${by.match})`;
  if (result.profile !== undefined) record.profile = result.profile;
  if (result.matched.length > 0) record.profiles = result.matched;
  if (result.notifications.length > 0) record.notify = result.notifications;
  return record;
}
