import type { Alert, AlertSource } from "../../core/alert";
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
  /** The latest events of the bucket, at most ALERT_EVENT_SAMPLE. */
  events: Event[];
  /** The source is allowlisted: the alert is kept, no decision was made. */
  allowlisted: boolean;
  /** `reason (match)` of the allowlist entry, when allowlisted. */
  allowlisted_by?: string;
  /** The profile whose decisions these are. */
  profile?: string;
  /** A watcher's alert (`POST /v1/alerts`): CrowdSec's fields kept as sent. */
  scenario_hash?: string;
  scenario_version?: string;
  simulated?: boolean;
}

export const ALERT_EVENT_SAMPLE = 20;

/**
 * The record of `alert` (its `sources` list dropped) with at most its last
 * ALERT_EVENT_SAMPLE events; callers add what they know besides.
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
    events: alert.events.slice(-ALERT_EVENT_SAMPLE),
    allowlisted,
  };
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
