import type { Metrics } from "./admin-access";

/**
 * What `GET /_palisade/v1/metrics` renders (Prometheus text): the admin metrics plus the
 * Ledger's own gauges. Internal between the Worker and the Ledger; the wire format is the
 * Prometheus exposition, documented in src/api/README.md.
 */
export interface Observation {
  metrics: Metrics;
  kv: {
    writes: number;
    deletes: number;
    /** Since 00:00 UTC (the plan's quota day). */
    writesToday: number;
    deletesToday: number;
    /** Decision changes waiting for the next flush. */
    pending: number;
    deltas: number;
  };
  /** Events sent through the ingest queue (a Worker cannot read the queue's backlog). */
  ingestQueued: { machine: string; type: string; count: number }[];
  sessions: number;
  notifications: NotifyChannelState[];
}

export interface NotifyChannelState {
  channel: string;
  /** Alerts waiting for the channel's group. */
  pending: number;
  /** Messages delivered, alerts sent in them, alerts left out by the rate limit. */
  sent: number;
  alerts: number;
  suppressed: number;
  /** Delivery attempts that failed, messages the dead-letter queue handed back. */
  failed: number;
  dead: number;
}
