import { ipv6PrefixFrom } from "../durable/source-key";
import { intVar } from "../durable/vars";
import type { Env } from "../env";

export interface IngestConfig {
  /** Subrequests one invocation may make (Durable Object RPCs, Ledger calls, queue sends). */
  budget: number;
  /** Largest body, compressed or not. */
  maxBytes: number;
  ipv6Prefix: number;
}

/** The free plan allows 50 subrequests per invocation; 10 stay spare. */
export const DEFAULT_SUBREQUEST_BUDGET = 40;
export const DEFAULT_MAX_INGEST_BYTES = 5 * 1024 * 1024;
/** Fewest subrequests ingest works with (see `messageItems`). */
export const MIN_SUBREQUEST_BUDGET = 10;
/** The consumer's max_batch_size (wrangler.toml); the budget split below assumes at most this. */
export const QUEUE_BATCH_MESSAGES = 10;

export function ingestConfig(env: Env): IngestConfig {
  return {
    budget: intVar(
      "SUBREQUEST_BUDGET",
      env.SUBREQUEST_BUDGET,
      DEFAULT_SUBREQUEST_BUDGET,
      MIN_SUBREQUEST_BUDGET,
      10_000,
    ),
    maxBytes: intVar(
      "MAX_INGEST_BYTES",
      env.MAX_INGEST_BYTES,
      DEFAULT_MAX_INGEST_BYTES,
      1_024,
      100 * 1024 * 1024,
    ),
    ipv6Prefix: ipv6PrefixFrom(env.IPV6_PREFIX),
  };
}

/**
 * Pour requests per queue message: the consumer always pours its batch's first message
 * and can still send the other messages (at most QUEUE_BATCH_MESSAGES - 1, two per
 * sendBatch) back to the queue within the same budget.
 */
export function messageItems(budget: number): number {
  return budget - Math.ceil((QUEUE_BATCH_MESSAGES - 1) / 2) - 1;
}
