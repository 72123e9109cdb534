import type { Event } from "./event";

/** Who an alert is about. `scope` is CrowdSec's: `Ip`, `Range`, or a custom scope. */
export interface AlertSource {
  scope: string;
  value: string;
  ip?: string;
  range?: string;
}

/** An overflow turned into an alert, in CrowdSec's shape (times in ms since epoch). */
export interface Alert {
  scenario: string;
  message: string;
  /** The first source (CrowdSec's `Alert.Source`); `sources` lists them all. */
  source: AlertSource;
  /**
   * Every distinct source in the bucket's events (CrowdSec's `Overflow.Sources`), first
   * seen first. Always set by the bucket engine; optional so hand-built alerts stay valid.
   */
  sources?: AlertSource[];
  events_count: number;
  start_at: number;
  stop_at: number;
  capacity: number;
  /** Leak interval in ms (0 for trigger buckets). */
  leakspeed: number;
  labels: Record<string, unknown>;
  /** CrowdSec's `Alert.Remediation`: the scenario's `labels.remediation` (false when absent). */
  remediation: boolean;
  /** A sample of the events that filled the bucket, oldest first. */
  events: Event[];
}
