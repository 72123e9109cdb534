import type { WaitUntil } from "./blocklist-cache";

/**
 * Visitor requests by outcome, counted in the isolate and reported at most once per
 * interval (default a minute) from a request's `waitUntil`: no KV write and no Durable
 * Object call per request. Approximate by design: an isolate's counts since its last
 * report are lost when it is evicted, and a quiet isolate reports on its next request.
 */

const OUTCOMES = [
  "pass",
  "ban",
  "captcha",
  "throttle",
  "allowlisted",
  "fail_open",
  "fail_closed",
] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const OUTCOME = Object.fromEntries(OUTCOMES.map((o, i) => [o, i])) as Record<
  Outcome,
  number
>;

/** Receives a report; `env` is the Worker's env the request came with. */
export type EdgeMetricsSink = (counts: Record<string, number>, env: unknown) => Promise<void>;

export class OutcomeCounter {
  private readonly counts = new Float64Array(OUTCOMES.length);
  private since = Number.NaN;

  constructor(
    private readonly sink: EdgeMetricsSink | undefined,
    private readonly intervalMs = 60_000,
  ) {}

  hit(outcome: number, now: number, env: unknown, waitUntil: WaitUntil): void {
    this.counts[outcome] = (this.counts[outcome] as number) + 1;
    if (Number.isNaN(this.since)) this.since = now;
    else if (now - this.since >= this.intervalMs) this.report(now, env, waitUntil);
  }

  private report(now: number, env: unknown, waitUntil: WaitUntil): void {
    this.since = now;
    if (!this.sink) {
      this.counts.fill(0);
      return;
    }
    const out: Record<string, number> = {};
    OUTCOMES.forEach((o, i) => {
      const n = this.counts[i] as number;
      if (n > 0) out[o] = n;
    });
    this.counts.fill(0);
    waitUntil(
      this.sink(out, env).catch((e: unknown) => {
        console.warn("palisade.edge.metrics_lost", {
          error: e instanceof Error ? e.message : String(e),
        });
      }),
    );
  }
}
