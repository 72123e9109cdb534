import type { BucketMatch } from "../../core/bucket/index";
import type { Event } from "../../core/event";

/**
 * What the ingest Worker hands a SourceTracker (RPC, and the ingest queue's messages):
 * parsed events with the buckets the Worker already found them to belong to, so each
 * scenario's filter and groupby run once, in the Worker.
 */

export interface RoutedEvent {
  event: Event;
  matches: BucketMatch[];
}

export interface PourRequest {
  /** The source key the tracker is named after (`sourceKeyOf`). */
  source: string;
  /**
   * Idempotency key: `<machine>:<batch_id>` (with `/p<n>` for a part of a split group).
   * A tracker applies each one once, so a retried batch never counts twice.
   */
  apply: string;
  /**
   * The content version ingest routed with (installed scenarios): the tracker pours
   * with the same pack. Absent (a message queued before runtime content): version 0.
   */
  content?: number;
  events: RoutedEvent[];
}

export interface DecisionBrief {
  type: string;
  scope: string;
  value: string;
  /** Expiry, ms since epoch (wall clock). */
  until: number;
  scenario: string;
}

export interface PourSummary {
  /** This `apply` id was already applied: nothing was done. */
  duplicate: boolean;
  /** (event, bucket) pairs poured. */
  poured: number;
  /** Matches naming a scenario this deploy does not have (version skew), skipped. */
  skipped: number;
  alerts: number;
  decisions: DecisionBrief[];
}
