import { DurableObject } from "cloudflare:workers";
import { configOf } from "../../config";
import type { Env } from "../../env";
import { ledgerOf } from "../ledger/index";
import type { DecisionInput } from "../ledger/records";
import { metaNumber, migrate, setMeta } from "../migrate";
import { type DetectionPack, packAt } from "../pack";
import type { PourRequest, PourSummary } from "./messages";
import { applyPour, tickBuckets } from "./pour";
import { type DecisionRow, TRACKER_MIGRATIONS, TrackerStore } from "./store";

const OUTBOX_BATCH = 50;
const OUTBOX_MAX_TRIES = 20;
const TICK_BATCH = 500;
const EXPIRE_BATCH = 500;
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 300_000;
/** Escalation looks back 30 days (the built-in profiles); history is kept twice as long. */
const HISTORY_KEEP_MS = 60 * 24 * 3_600_000;
/** How old the content version an idle tracker ticks with may be before it asks the Ledger. */
const CONTENT_CHECK_MS = 30_000;

/**
 * The newest content version this isolate has heard of (from pour requests, or from the
 * Ledger at most every CONTENT_CHECK_MS), so that a tracker that only ticks stops running
 * a scenario removed or disabled since its last pour.
 */
let heard = { version: 0, at: Number.NEGATIVE_INFINITY };

/**
 * One per source (an IPv4 address or an IPv6 /64: `sourceKeyOf`), named with
 * `SOURCES.idFromName(source)`. Holds the source's bucket states, its decisions and
 * their history (escalation), and the batch ids it has applied. One alarm, at the
 * earliest deadline: a bucket to tick, a decision to expire, a Ledger call to retry.
 */
export class SourceTracker extends DurableObject<Env> {
  private readonly store: TrackerStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new TrackerStore(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, TRACKER_MIGRATIONS);
    });
  }

  /** Pours a batch's events for this source; a repeated `apply` id does nothing. */
  async pour(req: PourRequest): Promise<PourSummary> {
    const version = req.content ?? 0;
    if (version > heard.version) heard = { version, at: heard.at };
    const pack = await this.pack(version);
    const wall = Date.now();
    const summary = this.ctx.storage.transactionSync((): PourSummary => {
      if (this.store.hasApplied(req.apply)) {
        return { duplicate: true, poured: 0, skipped: 0, alerts: 0, decisions: [] };
      }
      // The alarm ticks with the newest version this tracker has poured with.
      if (version > (metaNumber(this.ctx.storage.sql, "content_version") ?? 0))
        setMeta(this.ctx.storage.sql, "content_version", version);
      return applyPour(this.store, pack, req, wall);
    });
    if (summary.duplicate) return summary;
    const delivered = summary.alerts === 0 || (await this.deliver());
    await this.arm(delivered);
    return summary;
  }

  /** Ticks due buckets, delivers pending alerts, expires decisions, re-arms. */
  override async alarm(): Promise<void> {
    const wall = Date.now();
    const clock = this.store.clock();
    if (clock) {
      // Log time moves on with the wall clock from the last event seen.
      const logNow = clock.log + (wall - clock.wall);
      const pack = await this.pack(await this.tickVersion());
      const out = this.ctx.storage.transactionSync(() =>
        tickBuckets(this.store, pack, logNow, wall, TICK_BATCH),
      );
      for (const p of out.poisoned) {
        console.error(`palisade.tracker.poison_bucket: deleted unreadable bucket ${p}`);
      }
    }
    const delivered = await this.deliver();
    const expired = await this.expireDue(wall);
    this.store.pruneHistory(wall - HISTORY_KEEP_MS);
    await this.arm(delivered && expired);
  }

  /** The content version to tick with: the newest this tracker or its isolate knows. */
  private async tickVersion(): Promise<number> {
    const own = metaNumber(this.ctx.storage.sql, "content_version") ?? 0;
    const now = Date.now();
    if (now - heard.at >= CONTENT_CHECK_MS) {
      try {
        const current = await ledgerOf(this.env).contentVersion();
        heard = { version: Math.max(heard.version, current), at: now };
      } catch (e) {
        console.error(`palisade.tracker.ledger_unreachable: content version: ${String(e)}`);
      }
    }
    return Math.max(own, heard.version);
  }

  /**
   * The pack of a content version (built-in plus installed), its profiles deciding on the
   * Worker's IPV6_PREFIX; compiled once per isolate per version, its bundle read from the
   * Ledger the first time.
   */
  private pack(version: number): Promise<DetectionPack> {
    return packAt(configOf(this.env).ipv6Prefix, version, (v) => ledgerOf(this.env).contentAt(v));
  }

  /** Sends pending alerts and decisions to the Ledger; false when it could not. */
  private async deliver(): Promise<boolean> {
    const { rows, dropped } = this.store.outbox(OUTBOX_BATCH, OUTBOX_MAX_TRIES);
    for (const id of dropped) {
      console.error(`palisade.tracker.poison_outbox: dropped undeliverable alert ${id}`);
    }
    if (rows.length === 0) return true;
    const prefix = this.ctx.id.toString();
    try {
      const results = await ledgerOf(this.env).record(
        rows.map((r) => ({
          ref: `${prefix}:${r.id}`,
          alert: r.alert,
          decisions: r.decisions.map(decisionInput),
        })),
      );
      this.ctx.storage.transactionSync(() => {
        rows.forEach((r, i) => {
          const ids = results[i]?.ids ?? [];
          this.store.recorded(
            r.id,
            r.decisions.map((d) => d.id),
            ids,
          );
        });
      });
      return true;
    } catch (e) {
      this.store.outboxFailed(rows.map((r) => r.id));
      console.error(`palisade.tracker.ledger_unreachable: record failed: ${String(e)}`);
      return false;
    }
  }

  /** Tells the Ledger which decisions ended; the alarm is the authoritative expiry. */
  private async expireDue(wall: number): Promise<boolean> {
    const due = this.store.dueDecisions(wall, EXPIRE_BATCH);
    if (due.length === 0) return true;
    try {
      await ledgerOf(this.env).expire(due.map((d) => d.ledger_id as number));
      this.store.deleteDecisions(due.map((d) => d.id));
      return true;
    } catch (e) {
      console.error(`palisade.tracker.ledger_unreachable: expire failed: ${String(e)}`);
      return false;
    }
  }

  /**
   * One alarm at the earliest deadline. After a failed Ledger call the retry waits,
   * doubling up to 5 minutes, so an unreachable Ledger never makes the alarm spin.
   */
  private async arm(ok: boolean): Promise<void> {
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    const previous = metaNumber(sql, "retry_ms") ?? 0;
    const retry = ok ? 0 : nextRetry(previous);
    if (retry !== previous) setMeta(sql, "retry_ms", retry);
    let at = this.store.nextDecisionExpiry();
    const bucket = this.store.nextBucketExpiry();
    const clock = this.store.clock();
    if (bucket !== undefined && clock) at = earliest(at, clock.wall + (bucket - clock.log));
    if (this.store.outboxSize() > 0) at = earliest(at, now + (retry || RETRY_MIN_MS));
    const current = await this.ctx.storage.getAlarm();
    if (at === undefined) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
      return;
    }
    const next = Math.max(at, retry > 0 ? now + retry : now);
    if (current !== next) await this.ctx.storage.setAlarm(next);
  }
}

function nextRetry(previous: number): number {
  return Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, previous * 2));
}

function earliest(a: number | undefined, b: number): number {
  return a === undefined || b < a ? b : a;
}

function decisionInput(d: DecisionRow): DecisionInput {
  return {
    type: d.type,
    scope: d.scope,
    value: d.value,
    origin: d.origin,
    scenario: d.scenario,
    start: d.created,
    until: d.until,
  };
}
