import { metaNumber, setMeta } from "../migrate";
import { pruneSeries } from "./counters";
import { COMPACT_EVERY_MS, type FlushOutcome, type KvWriter } from "./kv-writer";
import type { Notifier } from "./notify";
import type { LedgerOps } from "./ops";
import { type RetentionPolicy, type RetentionReport, sweep } from "./retention";
import type { LedgerStore } from "./store";

/** Completed batch ids and record refs are remembered this long (retries come within hours). */
const BATCH_MEMORY_MS = 7 * 24 * 3_600_000;
/** The cron expires what a tracker's alarm should have, after this grace. */
const OVERDUE_GRACE_MS = 60_000;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 60_000;
const EXPIRE_BATCH = 1_000;
/** Retention sweeps at most this often (each deletes a bounded chunk). */
const SWEEP_EVERY_MS = 10 * 60_000;
/** How soon a flush the budget can never pay for is looked at again (the settings may change). */
const BUDGET_RECHECK_MS = 3_600_000;

/** The commons membership's timer (commons-sync.ts), run by the same alarm. */
export interface CommonsTimer {
  nextDue(now: number): number | undefined;
  sync(now: number): Promise<unknown>;
}

export interface HousekeepingReport {
  expired: number;
  flushed: FlushOutcome;
  compacted: boolean;
  collected: number;
  /** What retention deleted (zeros between sweeps). */
  retained: RetentionReport;
}

/**
 * The Ledger's timers: one alarm at the first of the next KV flush (KV_FLUSH_MS after the
 * last write, and no sooner than the KV write budget allows, while changes are pending)
 * and the next decision or allowlist expiry, and the cron's housekeeping.
 */
export class LedgerUpkeep {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly store: LedgerStore,
    private readonly writer: KvWriter,
    private readonly ops: LedgerOps,
    private readonly flushMs: number,
    private readonly notifier: Notifier,
    private readonly retention: RetentionPolicy,
    private readonly commons?: CommonsTimer,
  ) {}

  /**
   * Every minute: expire decisions whose tracker alarm was missed, flush, compact an
   * epoch older than an hour, write the first (empty) base so the edge finds a manifest,
   * delete superseded bases, forget old batch ids. KV writes only as the budget allows
   * (what it cannot pay for now stays queued and the alarm comes back for it).
   */
  async housekeeping(now: number): Promise<HousekeepingReport> {
    const expired = this.ops.expireDue(now - OVERDUE_GRACE_MS, EXPIRE_BATCH);
    this.store.prune(now - BATCH_MEMORY_MS);
    pruneSeries(this.storage.sql, now);
    const flushed = await this.writer.flush(now);
    const st = this.writer.state();
    const due = st.base === null || (st.deltas.length > 0 && now - st.epochAt >= COMPACT_EVERY_MS);
    const compacted = flushed !== "base" && due && (await this.writer.compact(now)) === "base";
    const collected = await this.writer.collect(now);
    await this.flushNotifications();
    const retained = this.sweep(now);
    await this.schedule(now);
    return { expired, flushed, compacted, collected, retained };
  }

  /** Retention (retention.ts), every SWEEP_EVERY_MS; `force` runs it now (tests, the API). */
  sweep(now: number, force = false): RetentionReport {
    const sql = this.storage.sql;
    if (!force && now - (metaNumber(sql, "swept_at") ?? 0) < SWEEP_EVERY_MS)
      return { alerts: 0, decisions: 0 };
    const out = this.storage.transactionSync(() => sweep(sql, this.retention, now));
    setMeta(sql, "swept_at", now);
    if (out.alerts > 0 || out.decisions > 0) {
      console.log(
        `palisade.retention alerts=${out.alerts} ended_decisions=${out.decisions} days=${this.retention.days}`,
      );
    }
    return out;
  }

  /**
   * Ends what is due (decisions, allowlist entries), then flushes pending KV changes;
   * backs off when KV fails, so the alarm never spins.
   */
  async alarm(now = Date.now()): Promise<void> {
    const sql = this.storage.sql;
    this.ops.expireDue(now, EXPIRE_BATCH);
    // Before the flush: what a pull applies goes out in the same delta.
    await this.commons?.sync(now);
    try {
      await this.writer.flush(now);
      setMeta(sql, "kv_retry_ms", 0);
    } catch (e) {
      const retry = Math.min(
        RETRY_MAX_MS,
        Math.max(RETRY_MIN_MS, (metaNumber(sql, "kv_retry_ms") ?? 0) * 2),
      );
      setMeta(sql, "kv_retry_ms", retry);
      console.error(`palisade.ledger.kv_write_failed: retrying in ${retry} ms: ${String(e)}`);
    }
    await this.flushNotifications();
    await this.schedule(now);
  }

  /** Due notification groups to the queue; a failure leaves them pending for the next alarm. */
  private async flushNotifications(): Promise<void> {
    try {
      await this.notifier.flush(Date.now());
    } catch (e) {
      console.error(`palisade.notify.queue_failed: ${String(e)}`);
    }
  }

  /** When the next flush may run: KV_FLUSH_MS after the last write, and when the budget allows it. */
  nextFlushAt(now: number): number | undefined {
    const next = this.writer.nextWrite();
    if (!next) return undefined;
    const retry = metaNumber(this.storage.sql, "kv_retry_ms") ?? 0;
    let budgetAt = this.writer.spend.earliest("writes", next.cost, now);
    if (budgetAt === Number.POSITIVE_INFINITY) {
      console.error(
        `palisade.ledger.kv_budget_too_small: the next ${next.kind} write costs ${next.cost} KV writes, more than KV_WRITE_BUDGET=${this.writer.spend.budget.perDay} a day; raise it or BLOCKLIST_PART_BYTES`,
      );
      budgetAt = now + BUDGET_RECHECK_MS;
    }
    return Math.max(now + retry, this.writer.state().lastWrite + this.flushMs, budgetAt);
  }

  async schedule(now = Date.now()): Promise<void> {
    const expiry = this.ops.deadline(this.nextFlushAt(now));
    const dues = [expiry, this.notifier.nextDue(now), this.commons?.nextDue(now)].filter(
      (t) => t !== undefined,
    );
    if (dues.length === 0) return;
    const at = Math.min(...dues);
    const current = await this.storage.getAlarm();
    if (current === null || current > at) await this.storage.setAlarm(at);
  }
}
