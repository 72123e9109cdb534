import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { COMPACT_EVERY_MS, type FlushOutcome, type KvState, KvWriter } from "./kv-writer";
import { LEDGER_MIGRATIONS, type LedgerDecisionRow, LedgerStore } from "./ledger-store";
import type { BatchCounts, RecordItem, RecordResult } from "./ledger-types";
import { metaNumber, migrate, setMeta } from "./migrate";
import { ipv6PrefixFrom } from "./source-key";
import { findHash } from "./token";
import { intVar } from "./vars";

/** Completed batch ids and record refs are remembered this long (retries come within hours). */
const BATCH_MEMORY_MS = 7 * 24 * 3_600_000;
/** The cron expires what a tracker's alarm should have, after this grace. */
const OVERDUE_GRACE_MS = 60_000;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 60_000;

export interface HousekeepingReport {
  expired: number;
  flushed: FlushOutcome;
  compacted: boolean;
  collected: number;
}

export interface LedgerChanges {
  seq: number;
  added: LedgerDecisionRow[];
  deleted: LedgerDecisionRow[];
}

/**
 * The singleton ledger (`LEDGER.idFromName("ledger")`): alerts and decisions with a
 * monotonic `seq` for every change (the bouncer stream and the console read it), the
 * ingest batch ids completed per machine, machines and their hashed tokens, and the KV
 * blocklist writer, flushed by this object's alarm at most every KV_FLUSH_MS.
 */
export class Ledger extends DurableObject<Env> {
  private readonly store: LedgerStore;
  private readonly writer: KvWriter;
  private readonly flushMs: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new LedgerStore(ctx.storage.sql);
    const prefix = ipv6PrefixFrom(env.IPV6_PREFIX);
    this.writer = new KvWriter(ctx.storage.sql, this.store, env.BLOCKLIST, prefix);
    this.flushMs = intVar("KV_FLUSH_MS", env.KV_FLUSH_MS, 1_000, 0, 3_600_000);
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, LEDGER_MIGRATIONS);
    });
  }

  /** The machine whose token hashes to `tokenHash` (every stored hash is compared). */
  async authenticate(tokenHash: string): Promise<{ machine: string } | null> {
    const m = findHash(tokenHash, this.store.machines());
    return m ? { machine: m.name } : null;
  }

  async addMachine(name: string, tokenHash: string): Promise<void> {
    this.store.addMachine(name, tokenHash, Date.now());
  }

  async removeMachine(name: string): Promise<boolean> {
    return this.store.removeMachine(name);
  }

  /** The counts of a completed batch, or null when this machine never completed it. */
  async batchStatus(machine: string, batchId: string): Promise<BatchCounts | null> {
    return this.store.batch(machine, batchId) ?? null;
  }

  /** Marks a batch completed; a batch completed before keeps its first counts. */
  async completeBatch(machine: string, batchId: string, counts: BatchCounts): Promise<BatchCounts> {
    return this.store.completeBatch(machine, batchId, counts, Date.now());
  }

  /** Records alerts and their decisions (idempotent per ref); schedules the KV flush. */
  async record(items: RecordItem[]): Promise<RecordResult[]> {
    const now = Date.now();
    const out = this.ctx.storage.transactionSync(() =>
      items.map((item) => this.store.record(item, now, (row) => this.writer.entryOf(row))),
    );
    await this.scheduleFlush();
    return out;
  }

  /** Marks decisions deleted (expired or removed): `del` deltas for the edge. */
  async expire(ids: number[]): Promise<number> {
    const done = this.ctx.storage.transactionSync(() => this.store.delete(ids, Date.now()));
    if (done.length > 0) await this.scheduleFlush();
    return done.length;
  }

  async decision(id: number): Promise<LedgerDecisionRow | null> {
    return this.store.decision(id) ?? null;
  }

  /** Decisions added and deleted after `since` (the bouncer stream's source). */
  async changes(since: number): Promise<LedgerChanges> {
    const sql = this.ctx.storage.sql;
    return {
      seq: this.store.seq,
      added: sql
        .exec<LedgerDecisionRow>(
          "SELECT * FROM decisions WHERE seq > ? AND deleted_seq IS NULL ORDER BY seq",
          since,
        )
        .toArray(),
      deleted: sql
        .exec<LedgerDecisionRow>(
          "SELECT * FROM decisions WHERE deleted_seq > ? ORDER BY deleted_seq",
          since,
        )
        .toArray(),
    };
  }

  async kvState(): Promise<KvState & { pending: number }> {
    return { ...this.writer.state(), pending: this.writer.pending() };
  }

  /**
   * The cron's work (every minute): expire decisions whose tracker alarm was missed,
   * flush, compact an epoch older than an hour, write the first (empty) base so the edge
   * finds a manifest, delete superseded bases, forget old batch ids.
   */
  async housekeeping(): Promise<HousekeepingReport> {
    const now = Date.now();
    const overdue = this.store.overdue(now - OVERDUE_GRACE_MS, 1_000);
    const expired = this.ctx.storage.transactionSync(() => this.store.delete(overdue, now));
    this.store.prune(now - BATCH_MEMORY_MS);
    const flushed = await this.writer.flush(now);
    const st = this.writer.state();
    const due = st.base === null || (st.deltas.length > 0 && now - st.epochAt >= COMPACT_EVERY_MS);
    const compacted = flushed !== "base" && due;
    if (compacted) await this.writer.compact(now);
    const collected = await this.writer.collect(now);
    await this.scheduleFlush();
    return { expired: expired.length, flushed, compacted, collected };
  }

  /** Flushes pending KV changes; backs off when KV fails, so the alarm never spins. */
  override async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    try {
      await this.writer.flush(Date.now());
      setMeta(sql, "kv_retry_ms", 0);
    } catch (e) {
      const retry = Math.min(
        RETRY_MAX_MS,
        Math.max(RETRY_MIN_MS, (metaNumber(sql, "kv_retry_ms") ?? 0) * 2),
      );
      setMeta(sql, "kv_retry_ms", retry);
      console.error(`palisade.ledger.kv_write_failed: retrying in ${retry} ms: ${String(e)}`);
    }
    await this.scheduleFlush();
  }

  /** One alarm, at the first instant a flush may run (KV_FLUSH_MS after the last write). */
  private async scheduleFlush(): Promise<void> {
    if (this.writer.pending() === 0) return;
    const now = Date.now();
    const retry = metaNumber(this.ctx.storage.sql, "kv_retry_ms") ?? 0;
    const at = Math.max(now + retry, this.writer.state().lastWrite + this.flushMs);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
