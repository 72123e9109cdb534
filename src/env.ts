import type { Ledger } from "./durable/ledger/index";
import type { SourceTracker } from "./durable/tracker/index";

/** The Worker's bindings (wrangler.toml); vars arrive as strings. */
export interface Env {
  PALISADE_ENV: string;
  SOURCES: DurableObjectNamespace<SourceTracker>;
  LEDGER: DurableObjectNamespace<Ledger>;
  BLOCKLIST: KVNamespace;
  INGEST_QUEUE: Queue;
  ORIGIN_URL?: string;
  FAIL_MODE?: string;
  TURNSTILE_SITEKEY?: string;
  TURNSTILE_SECRET?: string;
  TURNSTILE_VERIFY_URL?: string;
  SUBREQUEST_BUDGET?: string;
  BLOCKLIST_REFRESH_MS?: string;
  KV_FLUSH_MS?: string;
  KV_WRITE_BUDGET?: string;
  BLOCKLIST_PART_BYTES?: string;
  BLOCKLIST_STALE_MS?: string;
  IPV6_PREFIX?: string;
  MAX_INGEST_BYTES?: string;
  CLEARANCE_TTL_S?: string;
  CLEARANCE_KEY?: string;
  PALISADE_ADMIN_TOKEN?: string;
  PALISADE_MACHINE_TOKEN?: string;
}
