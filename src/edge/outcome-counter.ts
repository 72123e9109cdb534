import type { WaitUntil } from "./blocklist-cache";

/**
 * Visitor requests by outcome (and, for the visitors stopped, their country and ASN as
 * `country:XX` / `asn:N` keys of the same report), counted in the isolate and reported at most once per
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

/** Distinct countries and ASNs an isolate remembers between reports; the rest count as `other`. */
const MAX_ORIGINS = 256;

/** Where a stopped visitor came from (`request.cf`), when Cloudflare says. */
export interface VisitorOrigin {
  country?: string | undefined;
  asn?: number | undefined;
}

export class OutcomeCounter {
  private readonly counts = new Float64Array(OUTCOMES.length);
  /** `country:FR`, `asn:64496` → visitors stopped (ban, captcha, throttle) since the report. */
  private readonly origins = new Map<string, number>();
  private since = Number.NaN;

  constructor(
    private readonly sink: EdgeMetricsSink | undefined,
    private readonly intervalMs = 60_000,
  ) {}

  hit(
    outcome: number,
    now: number,
    env: unknown,
    waitUntil: WaitUntil,
    origin?: VisitorOrigin,
  ): void {
    this.counts[outcome] = (this.counts[outcome] as number) + 1;
    if (origin) {
      if (origin.country) this.countOrigin(`country:${origin.country}`);
      if (origin.asn !== undefined) this.countOrigin(`asn:${origin.asn}`);
    }
    if (Number.isNaN(this.since)) this.since = now;
    else if (now - this.since >= this.intervalMs) this.report(now, env, waitUntil);
  }

  private countOrigin(key: string): void {
    const n = this.origins.get(key);
    if (n !== undefined) this.origins.set(key, n + 1);
    else if (this.origins.size < MAX_ORIGINS) this.origins.set(key, 1);
    else {
      const other = `${key.slice(0, key.indexOf(":"))}:other`;
      this.origins.set(other, (this.origins.get(other) ?? 0) + 1);
    }
  }

  private report(now: number, env: unknown, waitUntil: WaitUntil): void {
    this.since = now;
    if (!this.sink) {
      this.counts.fill(0);
      this.origins.clear();
      return;
    }
    const out: Record<string, number> = {};
    OUTCOMES.forEach((o, i) => {
      const n = this.counts[i] as number;
      if (n > 0) out[o] = n;
    });
    this.counts.fill(0);
    for (const [k, n] of this.origins) out[k] = n;
    this.origins.clear();
    waitUntil(
      this.sink(out, env).catch((e: unknown) => {
        console.warn("palisade.edge.metrics_lost", {
          error: e instanceof Error ? e.message : String(e),
        });
      }),
    );
  }
}
