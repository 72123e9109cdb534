import { Blocklist, type DecisionEntry } from "../core/blocklist/index";

/**
 * Decisions this isolate learned straight from the trackers it poured its own visitors'
 * requests into (edge-native detection), enforced beside its KV copy of the blocklist:
 * the prober is stopped on its next request instead of after the Ledger's KV flush
 * (KV_FLUSH_MS), KV's propagation (up to ~60 s on Cloudflare) and this isolate's refresh
 * (BLOCKLIST_REFRESH_MS). The KV copy is the authority: each learned decision is held at
 * most HOLD_MS, by when KV carries it, so a decision an operator deletes in that window
 * still holds here until HOLD_MS runs out. Other isolates learn it from KV.
 */

/** How long a learned decision is enforced from this isolate's memory. */
export const LEARNED_HOLD_MS = 120_000;
/** Most decisions held: a flood of detections cannot grow the isolate's memory. */
const MAX_HELD = 10_000;

export type LearnedDecision = Pick<DecisionEntry, "type" | "scope" | "value" | "until">;

export class LearnedDecisions {
  private list: Blocklist | undefined;
  private held: DecisionEntry[] = [];
  private lastUntil = 0;
  private nextId = 1;

  learn(decisions: readonly LearnedDecision[], ipv6Prefix: number, now: number): void {
    const live = this.held.filter((d) => d.until > now);
    for (const d of decisions) {
      const until = Math.min(d.until, now + LEARNED_HOLD_MS);
      if (until > now)
        live.push({ id: this.nextId++, type: d.type, scope: d.scope, value: d.value, until });
    }
    this.held = live.length > MAX_HELD ? live.slice(live.length - MAX_HELD) : live;
    this.lastUntil = this.held.reduce((m, d) => Math.max(m, d.until), 0);
    if (this.held.length === 0) {
      this.list = undefined;
      return;
    }
    const list = Blocklist.empty({ ipv6Prefix });
    list.apply(this.held.map((d) => ({ op: "add" as const, d })));
    this.list = list;
  }

  /** The learned decision on `ip` at `now`, if any; nothing to search once all have ended. */
  lookup(ip: string, now: number): DecisionEntry | undefined {
    if (!this.list) return undefined;
    if (now >= this.lastUntil) {
      this.list = undefined;
      this.held = [];
      return undefined;
    }
    return this.list.lookup({ ip }, now);
  }

  get size(): number {
    return this.held.length;
  }
}
