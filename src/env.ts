import type { Ledger } from "./durable/ledger/index";
import type { SourceTracker } from "./durable/tracker/index";

/** The Worker's bindings (wrangler.toml); vars arrive as strings. */
export interface Env {
  PALISADE_ENV: string;
  SOURCES: DurableObjectNamespace<SourceTracker>;
  LEDGER: DurableObjectNamespace<Ledger>;
  BLOCKLIST: KVNamespace;
  INGEST_QUEUE: Queue;
  /** Notification groups from the Ledger to the consumer (src/notify). */
  NOTIFY_QUEUE?: Queue;
  /** The notification dead-letter queue, to which a channel's last failed try goes. */
  NOTIFY_DLQ?: Queue;
  /** Notification channels: CrowdSec notification plugin YAML documents (a secret). */
  PALISADE_NOTIFICATIONS?: string;
  ORIGIN_URL?: string;
  FAIL_MODE?: string;
  /** Edge-native detection: `on` (default), `off` or `sample:N` (one source in N watched). */
  EDGE_DETECTION?: string;
  TURNSTILE_SITEKEY?: string;
  TURNSTILE_SECRET?: string;
  TURNSTILE_VERIFY_URL?: string;
  SUBREQUEST_BUDGET?: string;
  BLOCKLIST_REFRESH_MS?: string;
  KV_FLUSH_MS?: string;
  QUEUE_RETRY_S?: string;
  RETENTION_DAYS?: string;
  RETENTION_MAX_ALERTS?: string;
  RETENTION_MAX_ENDED_DECISIONS?: string;
  KV_WRITE_BUDGET?: string;
  BLOCKLIST_PART_BYTES?: string;
  BLOCKLIST_STALE_MS?: string;
  IPV6_PREFIX?: string;
  /** A member of a commons: how often signals are pushed and the community list pulled (ms). */
  COMMONS_PUSH_MS?: string;
  COMMONS_PULL_MS?: string;
  MAX_INGEST_BYTES?: string;
  CLEARANCE_TTL_S?: string;
  CLEARANCE_KEY?: string;
  /** Longest decision or allowlist entry accepted (Go duration; default 8760h). */
  MAX_DECISION_DURATION?: string;
  PALISADE_ADMIN_TOKEN?: string;
  PALISADE_MACHINE_TOKEN?: string;
  /** The plan's daily KV write quota (shown in the metrics); the free plan's 1,000 by default. */
  KV_WRITES_PER_DAY?: string;
  /** A token that may read GET /_palisade/v1/metrics only (Prometheus' scrape). */
  PALISADE_METRICS_TOKEN?: string;
  /** Cloudflare Access in front of the console: `<team>.cloudflareaccess.com` and the app's AUD tag. */
  ACCESS_TEAM_DOMAIN?: string;
  ACCESS_AUD?: string;
}
