import type { Publisher } from "./durable/publisher";
import type { Registry } from "./durable/registry";
import type { AddressShard } from "./durable/shard";

/** The commons Worker's bindings (wrangler.commons.toml); vars arrive as strings. */
export interface CommonsEnv {
  REGISTRY: DurableObjectNamespace<Registry>;
  SHARDS: DurableObjectNamespace<AddressShard>;
  PUBLISHER: DurableObjectNamespace<Publisher>;
  /** Base snapshots of the published list (`cl:base:<version>:<chunk>`). */
  COMMONS_LIST: KVNamespace;
  COMMONS_ADMIN_TOKEN?: string;
  /** HMAC key of members' JWTs; derived from COMMONS_ADMIN_TOKEN when unset. */
  COMMONS_JWT_SECRET?: string;
  COMMONS_MIN_REPORTERS?: string;
  COMMONS_WINDOW?: string;
  COMMONS_HALF_LIFE?: string;
  COMMONS_PUBLISH_MS?: string;
  COMMONS_DAILY_SIGNALS?: string;
  COMMONS_UNENROLLED_DAILY_SIGNALS?: string;
  COMMONS_SHARDS?: string;
  COMMONS_BASE_PART_ENTRIES?: string;
  /** Bench only: enables POST /v1/admin/bench/seed (never set it in production). */
  COMMONS_BENCH_SEED?: string;
}
