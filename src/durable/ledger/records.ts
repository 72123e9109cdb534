import type { Alert, AlertSource } from "../../core/alert";
import { clipText } from "../../core/bucket/state";
import type { Event } from "../../core/event";

/**
 * What SourceTrackers, watchers and the admin API hand the Ledger. Times are ms since the
 * epoch; `start_at`/`stop_at` are the log's own time, decision times the wall clock.
 */

/** An alert as the Ledger keeps it: CrowdSec's shape with a bounded event sample. */
export interface AlertRecord {
  scenario: string;
  message: string;
  /** CrowdSec's source; a watcher's alert may carry `cn`, `as_number`, `as_name`, … too. */
  source: AlertSource & LapiSourceExtras;
  events_count: number;
  start_at: number;
  stop_at: number;
  capacity: number;
  leakspeed: number;
  labels: Record<string, unknown>;
  remediation: boolean;
  /**
   * The latest events of the bucket, at most ALERT_EVENT_SAMPLE, each bounded by
   * `sampleEvent` (its raw line, parsed fields): the alert's evidence.
   */
  events: Event[];
  /** The source is allowlisted: the alert is kept, no decision was made. */
  allowlisted: boolean;
  /** `reason (match)` of the allowlist entry, when allowlisted. */
  allowlisted_by?: string;
  /** The profile whose decisions these are. */
  profile?: string;
  /** Every profile that applied, in order (a notification channel may follow one). */
  profiles?: string[];
  /** Notification channels the applying profiles name (`notifications:`). */
  notify?: string[];
  /** A watcher's alert (`POST /v1/alerts`): CrowdSec's fields kept as sent. */
  scenario_hash?: string;
  scenario_version?: string;
  simulated?: boolean;
  /** A watcher's alert-level meta (CrowdSec's `meta`: key/value context). */
  meta?: { key: string; value: string }[];
  /** A watcher's alert `labels` (CrowdSec's list of strings, not the scenario's label map). */
  tags?: string[];
}

export const ALERT_EVENT_SAMPLE = 20;
/** A raw line kept as evidence is cut here (ingest takes lines up to 64 KiB). */
export const RAW_SAMPLE_CHARS = 4_096;
/** A parsed field kept as evidence is cut here. */
const FIELD_SAMPLE_CHARS = 1_024;

/**
 * The record of `alert` (its `sources` list dropped) with at most its last
 * ALERT_EVENT_SAMPLE events, each bounded (`sampleEvent`), so a record stays within a
 * hundred KiB whatever the lines; callers add what they know besides.
 */
export function alertRecordOf(alert: Alert, allowlisted: boolean): AlertRecord {
  return {
    scenario: alert.scenario,
    message: alert.message,
    source: alert.source,
    events_count: alert.events_count,
    start_at: alert.start_at,
    stop_at: alert.stop_at,
    capacity: alert.capacity,
    leakspeed: alert.leakspeed,
    labels: alert.labels,
    remediation: alert.remediation,
    events: alert.events.slice(-ALERT_EVENT_SAMPLE).map(sampleEvent),
    allowlisted,
  };
}

/**
 * An event as evidence: its line (raw text cut at RAW_SAMPLE_CHARS, where it came from),
 * its parsed and meta fields (cut at FIELD_SAMPLE_CHARS), its time. `Unmarshaled` (a
 * JSON log's whole payload) is dropped: the raw line holds it.
 */
export function sampleEvent(e: Event): Event {
  return {
    Line: { ...e.Line, Raw: clipText(e.Line.Raw, RAW_SAMPLE_CHARS) },
    Parsed: clipValues(e.Parsed),
    Meta: clipValues(e.Meta),
    Enriched: e.Enriched,
    Unmarshaled: {},
    Time: e.Time,
    Whitelisted: e.Whitelisted,
  };
}

function clipValues(fields: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = clipText(String(v), FIELD_SAMPLE_CHARS);
  return out;
}

/** What a CrowdSec agent tells about a source besides its address. */
export interface LapiSourceExtras {
  cn?: string;
  as_number?: string;
  as_name?: string;
  latitude?: number;
  longitude?: number;
}

export interface DecisionInput {
  type: string;
  scope: string;
  value: string;
  origin: string;
  scenario: string;
  /** When it took effect and when it ends, ms since epoch (wall clock). */
  start: number;
  until: number;
}

export interface RecordItem {
  /** Idempotency key: recording the same ref twice returns the first result. */
  ref: string;
  alert: AlertRecord | null;
  decisions: DecisionInput[];
  /** The watcher machine that sent the alert (null: Palisade's own detection). */
  machine?: string;
}

export interface RecordResult {
  ref: string;
  /** The alert's sequence number, null when the item had no alert. */
  alertSeq: number | null;
  /** Ledger decision ids, in the order of `decisions`. */
  ids: number[];
}

/** Counts of a completed ingest batch, answered again to a retry of the same batch id. */
export type BatchCounts = Record<string, number>;

/**
 * The decision as it may be stored: a time the Ledger could not render (not finite) or
 * a duration past the ceiling is cut to the ceiling, and logged. The APIs refuse such
 * input with a 422 before it gets here; this is the door every other path (a tracker's
 * profile, a watcher's profile decision) goes through, so no row can outlive the bound.
 */
export function boundedDecision(d: DecisionInput, maxMs: number, now: number): DecisionInput {
  const start = Number.isFinite(d.start) ? d.start : now;
  if (Number.isFinite(d.until) && d.until - start <= maxMs) {
    return start === d.start ? d : { ...d, start };
  }
  console.warn("palisade.ledger.duration_clamped", {
    scenario: d.scenario,
    value: d.value,
    until: d.until,
    message: `a ${d.type} decision on ${d.value} lasted past the ceiling (MAX_DECISION_DURATION); it ends at the ceiling instead.`,
  });
  return { ...d, start, until: start + maxMs };
}
