import type { WorkerConfig } from "../config";
import type { LineOrigin } from "../core/event";
import { type AccessRecord, accessEvent } from "../core/parser/index";
import { ledgerOf } from "../durable/ledger/index";
import {
  type DecisionBrief,
  type DetectionPack,
  detectionPack,
  packAt,
  sourceKeyOf,
} from "../durable/tracker/index";
import type { Env } from "../env";
import { SourceGroups, scenarioRouter } from "./batch";
import { messageItems } from "./budget";
import { pourAll, sendAll } from "./deliver";
import { planDispatch } from "./dispatch";
import { VolumeGate } from "./edge-volume";

/**
 * Edge-native detection's way into the scenarios: the access events the edge records
 * (src/edge/access-record.ts) go through the same router (every scenario's guard, filter
 * and groupby) and the same dispatch as a shipped batch, never through the ingest route.
 * An event no scenario wants stops here, before any Durable Object is called; so does a
 * clean visitor's page view, which only volume scenarios count, until its source sends
 * enough to matter (edge-volume.ts). The rest wait in the isolate for `flushMs` (or until `maxEvents`), then one flush, in the
 * `waitUntil` of the request that started it, pours them: one SourceTracker RPC per
 * source, within half the invocation's SUBREQUEST_BUDGET (the other half stays for the
 * request's own origin fetch, blocklist refresh and metrics); sources past it go through
 * INGEST_QUEUE. The decisions the trackers answer are handed to `learn` (the isolate's
 * enforcer), so the next request of the source is stopped without waiting for KV.
 *
 * The scenarios are the current content version's (`palisade scenarios add`…): a flush
 * asks the Ledger for the version at most every CONTENT_CHECK_MS, after its pours, and
 * compiles a new one once per isolate (packAt), so a change reaches the edge within that
 * bound with no Ledger call on a visitor's path.
 */

/** How often a flush asks the Ledger whether the content version changed. */
const CONTENT_CHECK_MS = 10_000;

/** Where an edge event comes from: `Line.Module` / `Meta.datasource_type` say `edge`. */
export const EDGE_ORIGIN: LineOrigin = {
  src: "edge",
  module: "edge",
  labels: { type: "nginx", source: "edge" },
};

export type Learn = (decisions: readonly DecisionBrief[]) => void;
type WaitUntil = (promise: Promise<unknown>) => void;

export interface EdgeFeedOptions {
  /** How long events wait in the isolate for others to share their flush; default 250 ms. */
  flushMs?: number;
  /** Events that make a flush start at once; default 2,000. */
  maxEvents?: number;
}

/** What this isolate's feed did (tests, the benchmark). */
export interface EdgeFeedStats {
  recorded: number;
  /** Events no scenario wants: never sent. */
  filtered: number;
  /** Volume-only events of quiet sources, held in the isolate (edge-volume.ts). */
  held: number;
  flushes: number;
  /** Events poured or queued. */
  sent: number;
  pours: number;
  queued: number;
  failed: number;
}

export class EdgeFeed {
  readonly stats: EdgeFeedStats = {
    recorded: 0,
    filtered: 0,
    held: 0,
    flushes: 0,
    sent: 0,
    pours: 0,
    queued: 0,
    failed: 0,
  };
  private pending: SourceGroups | undefined;
  /** The content version `pending` was routed with. */
  private pendingContent = 0;
  private gate: VolumeGate | undefined;
  private gatePack: DetectionPack | undefined;
  /** The content version in force here, and its pack (the built-in one until a flush learns). */
  private content = 0;
  private pack: DetectionPack | undefined;
  private contentCheckedAt = 0;
  private scheduled = false;
  private seq = 0;
  /** Names this isolate's pour ids; drawn on the first flush (no randomness at startup). */
  private isolate: string | undefined;
  private readonly flushMs: number;
  private readonly maxEvents: number;

  constructor(options: EdgeFeedOptions = {}) {
    this.flushMs = options.flushMs ?? 250;
    this.maxEvents = options.maxEvents ?? 2_000;
  }

  /** Turns a record into an event, keeps it if some scenario wants it, schedules the flush. */
  record(r: AccessRecord, cfg: WorkerConfig, env: Env, waitUntil: WaitUntil, learn: Learn): void {
    this.stats.recorded++;
    const pack = this.pack ?? detectionPack(cfg.ipv6Prefix);
    const routes = scenarioRouter(pack);
    const event = accessEvent(r, EDGE_ORIGIN);
    const matches = event && routes.matches(event);
    // accessEvent took the address only if it is an IP: a dotted quad is then its own
    // key (no leading zeros), and only IPv6 needs its network worked out.
    const ip = r.sourceIp;
    const source = !matches ? undefined : ip.includes(":") ? sourceKeyOf(ip, cfg.ipv6Prefix) : ip;
    if (!event || !matches || source === undefined) {
      this.stats.filtered++;
      return;
    }
    if (this.gatePack !== pack) {
      this.gate = new VolumeGate(routes, pack.scenarios);
      this.gatePack = pack;
    }
    const gate = this.gate as VolumeGate;
    const before = gate.volumeOnly(matches)
      ? gate.admit(source, r, r.time)
      : gate.release(source, r.time);
    if (!before) {
      this.stats.held++;
      return;
    }
    if (this.pending === undefined) {
      this.pending = new SourceGroups(cfg.ipv6Prefix, pack.byGroup);
      this.pendingContent = this.content;
    }
    const pending = this.pending;
    for (const held of before) {
      const e = accessEvent(held, EDGE_ORIGIN);
      const m = e && routes.matches(e);
      if (e && m) pending.add(e, m);
    }
    pending.add(event, matches);
    if (pending.events >= this.maxEvents) {
      waitUntil(this.flush(cfg, env, learn));
    } else if (!this.scheduled) {
      this.scheduled = true;
      waitUntil(delay(this.flushMs).then(() => this.flush(cfg, env, learn)));
    }
  }

  /** Pours what is pending; a failure is logged and its events dropped (never retried on a visitor). */
  async flush(cfg: WorkerConfig, env: Env, learn: Learn): Promise<void> {
    const groups = this.pending;
    this.pending = undefined;
    this.scheduled = false;
    if (!groups || groups.events === 0) return;
    this.stats.flushes++;
    const budget = cfg.subrequestBudget;
    this.isolate ??= crypto.randomUUID();
    try {
      const plan = await planDispatch(groups.groups(), {
        apply: `edge:${this.isolate}:${this.seq++}`,
        content: this.pendingContent,
        avail: Math.max(1, Math.floor(budget / 2)),
        maxItems: messageItems(budget),
      });
      const [poured] = await Promise.all([
        pourAll(env, plan.direct),
        sendAll(env.INGEST_QUEUE, plan.sends),
      ]);
      this.stats.sent += groups.events;
      this.stats.pours += poured.calls;
      this.stats.queued += plan.queued;
      if (poured.decided.length > 0) learn(poured.decided);
      await this.checkContent(cfg, env);
    } catch (e) {
      this.stats.failed += groups.events;
      console.error("palisade.edge.detect_failed", {
        events: groups.events,
        sources: groups.sources,
        message: `Edge detection could not pour ${groups.events} events: ${e instanceof Error ? e.message : String(e)}`,
      });
    }
  }

  /** Learns the current content version (at most every CONTENT_CHECK_MS) and its pack. */
  private async checkContent(cfg: WorkerConfig, env: Env): Promise<void> {
    const now = Date.now();
    if (now - this.contentCheckedAt < CONTENT_CHECK_MS) return;
    this.contentCheckedAt = now;
    const ledger = ledgerOf(env);
    const version = await ledger.contentVersion();
    if (version === this.content && this.pack !== undefined) return;
    this.pack = await packAt(cfg.ipv6Prefix, version, (v) => ledger.contentAt(v));
    this.content = version;
  }
}

function delay(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
