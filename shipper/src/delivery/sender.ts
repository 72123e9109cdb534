/**
 * Delivery: one batch at a time, oldest first (so lines of a file arrive in order), each
 * retried until the Worker acknowledges or refuses it. A refused batch (4xx other than
 * 429) is logged and set aside in state_dir/rejected so it cannot block the ones behind it.
 */

import type { Clock } from "../clock";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import { backoffDelay } from "./backoff";
import type { Offsets } from "./offsets";
import type { Spool, SpoolEntry } from "./spool";
import type { Transport } from "./transport";

export interface DeliveryDeps {
  transport: Transport;
  clock: Clock;
  random: () => number;
  retry: { initialMs: number; maxMs: number };
  log: Logger;
  metrics: Metrics;
}

export type Delivered =
  | { kind: "ok"; accepted: number | undefined; duplicate: boolean }
  | { kind: "reject"; status: number; reason: string }
  | { kind: "aborted" };

export interface BatchInfo {
  id: string;
  lines: number;
}

/** Sends `body` until acknowledged, refused, or `signal` aborts; retries never give up. */
export async function deliver(
  body: Buffer,
  gzip: boolean,
  b: BatchInfo,
  d: DeliveryDeps,
  signal: AbortSignal,
): Promise<Delivered> {
  d.metrics.batchesSent++;
  d.metrics.linesSent += b.lines;
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) return { kind: "aborted" };
    const out = await d.transport.post(body, gzip, signal);
    d.metrics.bytesSent += body.length;
    if (out.kind === "ok") return { kind: "ok", accepted: out.accepted, duplicate: out.duplicate };
    if (out.kind === "reject") return out;
    if (signal.aborted) return { kind: "aborted" };
    d.metrics.retries++;
    let wait: number;
    if (out.kind === "blocked") {
      wait = d.retry.maxMs;
      d.log.error("the Worker refused the token or the URL; fix url/token, retrying", {
        batch: b.id,
        attempt,
        reason: out.reason,
        retry_in_ms: wait,
      });
    } else {
      wait = out.retryAfterMs ?? backoffDelay(attempt, d.retry.initialMs, d.retry.maxMs, d.random);
      const fields = {
        batch: b.id,
        attempt,
        reason: out.reason,
        retry_in_ms: wait,
        retry_after: out.retryAfterMs !== undefined,
      };
      if (attempt === 1 || attempt % 10 === 0) d.log.warn("send failed, retrying", fields);
      else d.log.debug("send failed, retrying", fields);
    }
    await d.clock.sleep(wait, signal);
  }
}

export class SpoolSender {
  constructor(
    private readonly spool: Spool,
    private readonly offsets: Offsets,
    private readonly d: DeliveryDeps,
  ) {}

  /** Sends spooled batches in order until `signal` aborts (or the spool drains on shutdown). */
  async run(signal: AbortSignal): Promise<void> {
    for (;;) {
      const entry = await this.spool.first(signal);
      if (entry === undefined || signal.aborted) return;
      const body = await this.spool.body(entry);
      const r = await deliver(body, entry.gzip, entry, this.d, signal);
      if (r.kind === "aborted") return;
      if (!(await this.persist(() => this.offsets.commit(entry.positions), signal))) return;
      if (r.kind === "ok") {
        this.d.metrics.batchesAcked++;
        this.d.metrics.linesAcked += entry.lines;
        // Each spooled batch is acknowledged once: a duplicate answer (the first ack was
        // lost) repeats the counts of the only time the Worker counted these lines.
        this.d.metrics.workerAccepted += r.accepted ?? 0;
        if (r.duplicate) this.d.metrics.batchesDuplicate++;
        await this.persist(() => this.spool.remove(entry), signal);
      } else await this.reject(entry, r.status, r.reason, signal);
    }
  }

  private async reject(
    entry: SpoolEntry,
    status: number,
    reason: string,
    signal: AbortSignal,
  ): Promise<void> {
    this.d.metrics.batchesRejected++;
    this.d.metrics.linesRejected += entry.lines;
    await this.persist(async () => {
      const file = await this.spool.setAside(entry, status, reason);
      this.d.log.error("the Worker refused a batch; set aside, not retried", {
        batch: entry.id,
        lines: entry.lines,
        reason,
        file,
      });
    }, signal);
  }

  /** Disk errors (full disk, …) are retried: the batch must not be lost or re-read. */
  private async persist(step: () => Promise<void>, signal: AbortSignal): Promise<boolean> {
    for (;;) {
      try {
        await step();
        return true;
      } catch (e) {
        if (signal.aborted) return false;
        this.d.log.error("cannot write the state directory, retrying", {
          reason: (e as Error).message,
        });
        await this.d.clock.sleep(this.d.retry.maxMs, signal);
      }
    }
  }
}
