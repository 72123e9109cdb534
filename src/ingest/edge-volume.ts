import type { ScenarioRouter } from "../core/bucket/index";
import { type AccessRecord, accessEvent } from "../core/parser/index";
import type { CompiledScenario } from "../core/scenario/index";

/**
 * Keeps clean visitors' requests off the Durable Objects. A plain page view matches only
 * the volume scenarios (http-flood counts every request, http-crawl-non-statics every
 * page): leaky buckets that overflow on how many requests a source sends, never on what
 * one says. A source can fill none of them while it sends at most `threshold` requests
 * per `windowMs` when `threshold` ≤ half of each one's capacity and ≤ what each leaks in
 * a window (its level then never passes twice the threshold). So its volume-only events
 * wait in the isolate (as small access records), and are dropped when the window ends;
 * the source costs nothing. A source that sends more is promoted: the window's held
 * records and everything it sends for the next PROMOTED_MS go to its tracker. Any event
 * another scenario wants (a 404, a bad user agent, a sensitive path…) goes at once, with
 * the source's held records before it.
 *
 * Limits: the window is counted per isolate, so a flood spread thinly over many isolates
 * is seen only where it concentrates; a promoted source's tracker misses at most the
 * previous window's records (≤ threshold events: a crawler is stopped up to
 * threshold / its leak rate later, 10 s with the built-in scenarios).
 */

/** The counting window. */
const WINDOW_MS = 10_000;
/** How long a promoted source's events all go to its tracker after its last one. */
const PROMOTED_MS = 60_000;
/** Sources with held records, at most: past it the oldest window is dropped. */
const MAX_SOURCES = 2_000;

/** What benign traffic looks like: a page, an asset, a HEAD, a form post, all answered 200. */
const BENIGN: readonly Pick<AccessRecord, "verb" | "request">[] = [
  { verb: "GET", request: "/" },
  { verb: "GET", request: "/blog/a-page?x=1" },
  { verb: "GET", request: "/assets/app.js" },
  { verb: "HEAD", request: "/index.html" },
  { verb: "POST", request: "/form" },
];

interface Window {
  since: number;
  records: AccessRecord[];
}

export class VolumeGate {
  /** Requests per window a source may send before it is promoted (0: gate disabled). */
  readonly threshold: number;
  private readonly volume: ReadonlySet<string>;
  private readonly windows = new Map<string, Window>();
  private readonly promoted = new Map<string, number>();

  constructor(router: ScenarioRouter, scenarios: readonly CompiledScenario[]) {
    const byName = new Map(scenarios.map((s) => [s.name, s]));
    const names = new Set<string>();
    for (const b of BENIGN) {
      const event = accessEvent(benign(b), { src: "", module: "edge", labels: { type: "nginx" } });
      for (const [name] of (event && router.matches(event)) ?? []) names.add(name);
    }
    let threshold = Number.POSITIVE_INFINITY;
    for (const name of names) {
      const s = byName.get(name);
      // Only leaky buckets are volume counters; anything else a benign request matched
      // (a trigger, a counter) disables the gate rather than be hidden by it.
      if (s?.kind.name !== "leaky" || s.capacity <= 0 || s.limit <= 0) threshold = 0;
      else
        threshold = Math.min(
          threshold,
          Math.floor(s.capacity / 2),
          Math.floor((s.limit * WINDOW_MS) / 1000),
        );
    }
    this.volume = names;
    this.threshold = Number.isFinite(threshold) ? threshold : 0;
  }

  /** Whether every bucket an event goes to is a volume counter. */
  volumeOnly(matches: readonly (readonly [string, string])[]): boolean {
    if (this.threshold === 0) return false;
    for (const [name] of matches) if (!this.volume.has(name)) return false;
    return true;
  }

  /**
   * A volume-only request of `source`: undefined while it is held, else the records to
   * send before it (the window's held ones; empty when the source is promoted already).
   */
  admit(source: string, r: AccessRecord, now: number): AccessRecord[] | undefined {
    if (this.isPromoted(source, now)) return [];
    let w = this.windows.get(source);
    if (!w || now - w.since >= WINDOW_MS) {
      if (w) this.windows.delete(source);
      w = { since: now, records: [] };
      this.windows.set(source, w);
      if (this.windows.size > MAX_SOURCES)
        this.windows.delete(this.windows.keys().next().value as string);
    }
    if (w.records.length < this.threshold) {
      w.records.push(r);
      return undefined;
    }
    return this.promote(source, now);
  }

  /** A request another scenario wants: the source's held records go first, and it is promoted. */
  release(source: string, now: number): AccessRecord[] {
    return this.promote(source, now);
  }

  private promote(source: string, now: number): AccessRecord[] {
    this.promoted.set(source, now + PROMOTED_MS);
    if (this.promoted.size > MAX_SOURCES) this.prune(now);
    const w = this.windows.get(source);
    this.windows.delete(source);
    return w?.records ?? [];
  }

  private isPromoted(source: string, now: number): boolean {
    const until = this.promoted.get(source);
    if (until === undefined) return false;
    if (until > now) {
      this.promoted.set(source, now + PROMOTED_MS);
      return true;
    }
    this.promoted.delete(source);
    return false;
  }

  private prune(now: number): void {
    for (const [s, until] of this.promoted) if (until <= now) this.promoted.delete(s);
    while (this.promoted.size > MAX_SOURCES)
      this.promoted.delete(this.promoted.keys().next().value as string);
  }
}

function benign(b: Pick<AccessRecord, "verb" | "request">): AccessRecord {
  return {
    sourceIp: "192.0.2.1",
    verb: b.verb,
    request: b.request,
    status: 200,
    bytes: 1000,
    referer: "https://site.example/",
    userAgent:
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    host: "site.example",
    httpVersion: "1.1",
    time: Date.now(),
  };
}
