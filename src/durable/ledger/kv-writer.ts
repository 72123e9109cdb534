import {
  canonicalEntryValue,
  type DecisionEntry,
  type DeltaOp,
  KV_KEYS,
  type Manifest,
  manifestKeys,
  sortKeyOf,
} from "../../core/blocklist/index";
import { metaNumber, metaText, setMeta } from "../migrate";
import { type CompactionStats, streamSnapshot } from "./kv-compact";
import { KvSpend } from "./kv-spend";
import { type KvState, manifestOf, readKvState } from "./kv-state";
import type { LedgerDecisionRow } from "./store";

/**
 * The Ledger's KV writer (src/core/blocklist/README.md has the layout): changes queue in
 * `kv_pending`; a flush writes them as one `bl:delta:<epoch>:<i>` and the manifest (2
 * writes, however many changes); past COMPACT_AFTER_ENTRIES changes or
 * COMPACT_AFTER_KEYS deltas in an epoch, hourly from the cron when the epoch has deltas,
 * or when an edge reported a key it could not read, a compaction streams every live
 * decision into a new base (its parts, then the manifest: parts + 1 writes) instead.
 * Every write is spent from the KV write budget (kv-spend.ts): work the budget cannot pay
 * for yet is `deferred` and waits, queued, for the next flush. A key other than the
 * manifest is written once, so KV's one-write-per-second-per-key limit only concerns the
 * manifest, which the Ledger writes at most every KV_FLUSH_MS.
 */

export const COMPACT_AFTER_ENTRIES = 1_000;
const COMPACT_AFTER_KEYS = 50;
/** The cron compacts an epoch with deltas once it is this old; deltas outlive it by far. */
export const COMPACT_EVERY_MS = 3_600_000;
/** Deltas expire on their own a day after their epoch may have been superseded. */
const DELTA_TTL_S = 2 * 86_400;
/** A superseded base stays readable this long for edges that read the old manifest. */
const GARBAGE_GRACE_MS = 10 * 60_000;
const MAX_DELTA_OPS = 5_000;
/** A part's bytes, at most: what its entries cost plus the header and padding. */
const ENTRY_MAX_BYTES = 41;
const PART_OVERHEAD = 256;

export interface KvWriterOptions {
  ipv6Prefix: number;
  /** The largest base part (BLOCKLIST_PART_BYTES); a base beyond it is split over keys. */
  partBytes: number;
  /** KV writes a day (KV_WRITE_BUDGET). */
  writesPerDay: number;
}

export type { KvState } from "./kv-state";

export type FlushOutcome = "idle" | "delta" | "base" | "allow" | "deferred";

/** What the pending work will write next and what it costs in KV writes. */
export interface NextWrite {
  kind: "delta" | "base" | "allow";
  cost: number;
}

/** The operator allowlist's KV key (`bl:allow:<n>`), named by the manifest's `allow`. */
export const allowKey = (n: number): string => `bl:allow:${n}`;

export class KvWriter {
  readonly spend: KvSpend;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sql: SqlStorage,
    private readonly kv: KVNamespace,
    private readonly options: KvWriterOptions,
  ) {
    this.spend = new KvSpend(sql, options.writesPerDay);
  }

  /** The blocklist entry of a decision, or null when the edge cannot enforce its scope. */
  entryOf(row: LedgerDecisionRow): DecisionEntry | null {
    const value = canonicalEntryValue(row.scope, row.value, this.options.ipv6Prefix);
    if (value === undefined) return null;
    return { id: row.id, type: row.type, scope: row.scope, value, until: row.until };
  }

  /** The sort key the Ledger stores with a decision (schema v3), or null. */
  sortKey(scope: string, value: string): ArrayBuffer | null {
    return (
      (sortKeyOf(scope, value, this.options.ipv6Prefix)?.buffer as ArrayBuffer | undefined) ?? null
    );
  }

  state(): KvState {
    return readKvState(this.sql);
  }

  /** Changes waiting for a flush (an allowlist waiting to be published counts as one). */
  pending(): number {
    return this.queued() + (this.allowPending() ? 1 : 0);
  }

  /** What the next flush writes and costs; null when there is nothing to write. */
  nextWrite(): NextWrite | null {
    const st = this.state();
    const ops = this.queued();
    const allow = this.allowPending() ? 1 : 0;
    if (st.repair || st.legacyBase) return { kind: "base", cost: this.compactionCost(st) };
    if (ops === 0) return allow ? { kind: "allow", cost: 2 } : null;
    const batch = Math.min(ops, MAX_DELTA_OPS);
    if (st.deltas.length + 1 > COMPACT_AFTER_KEYS || st.entries + batch > COMPACT_AFTER_ENTRIES) {
      return { kind: "base", cost: this.compactionCost(st) };
    }
    return { kind: "delta", cost: 2 + allow };
  }

  /**
   * Writes for a compaction: its parts (an upper bound from the last base and the changes
   * since, each part holding at least partBytes − 297 bytes of entries), the manifest,
   * and an allowlist waiting to be published.
   */
  compactionCost(st: KvState = this.state()): number {
    const pending = this.queued();
    const bytes = (st.base?.bytes ?? 0) + (st.entries + pending) * ENTRY_MAX_BYTES;
    const room = this.options.partBytes - PART_OVERHEAD - ENTRY_MAX_BYTES;
    return Math.max(1, Math.ceil(bytes / room)) + 1 + (this.allowPending() ? 1 : 0);
  }

  /** Writes pending changes as a delta, or compacts when due; `deferred` when over budget. */
  flush(now: number): Promise<FlushOutcome> {
    return this.serial(() => this.flushNow(now));
  }

  /** A new base snapshot of every live decision, and a manifest naming only it (budget permitting). */
  compact(now: number): Promise<FlushOutcome> {
    return this.serial(async () => {
      const cost = this.compactionCost();
      if (this.spend.earliest("writes", cost, now) > now) return "deferred";
      return this.compactNow(now);
    });
  }

  /**
   * An edge could not read `key`. A base part, a delta or the manifest the current
   * manifest names (or is): the next flush rewrites everything as a new base (a key's
   * content lives in SQLite, not in the queue) — `base`. The current allowlist key: the
   * caller queues the allowlist again — `allow`. Null for a key of an older manifest,
   * which nothing reads any more.
   */
  requestRepair(key: string): "base" | "allow" | null {
    const st = this.state();
    if (key === metaText(this.sql, "kv_allow")) return "allow";
    const named = manifestKeys(manifestOf(st, st.deltas, 0));
    if (key !== KV_KEYS.manifest && !named.includes(key)) return null;
    setMeta(this.sql, "kv_repair", key);
    return "base";
  }

  /** Deletes superseded keys whose grace period is over, as many as the delete budget allows. */
  collect(now: number): Promise<number> {
    return this.serial(async () => {
      const room = this.spend.available("deletes", now);
      if (room === 0) return 0;
      const due = this.sql
        .exec<{ key: string }>(
          "SELECT key FROM kv_garbage WHERE after <= ? ORDER BY after LIMIT ?",
          now,
          room,
        )
        .toArray();
      for (const { key } of due) {
        await this.kv.delete(key);
        this.spend.record("deletes", 1, now);
        this.sql.exec("DELETE FROM kv_garbage WHERE key = ?", key);
      }
      return due.length;
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.running.then(work, work);
    this.running = next.catch(() => undefined);
    return next;
  }

  /**
   * Changes queued in `kv_pending`. Rows leave it only as a prefix (`n <= …`), so the
   * queue is one run of `n`: its count is read from the two ends of the rowid index, not
   * by a scan (the queue can hold a million changes while the budget holds a compaction).
   */
  private queued(): number {
    const r = this.sql
      .exec<{ lo: number | null; hi: number | null }>(
        "SELECT MIN(n) AS lo, MAX(n) AS hi FROM kv_pending",
      )
      .one();
    return r.lo === null || r.hi === null ? 0 : r.hi - r.lo + 1;
  }

  private allowPending(): boolean {
    return Boolean(metaText(this.sql, "kv_allow_pending"));
  }

  private async flushNow(now: number): Promise<FlushOutcome> {
    const next = this.nextWrite();
    if (!next) return "idle";
    if (this.spend.earliest("writes", next.cost, now) > now) return "deferred";
    if (next.kind === "base") return this.compactNow(now);
    const st = this.state();
    if (next.kind === "allow") {
      await this.putManifest(manifestOf(st, st.deltas, now));
      return "allow";
    }
    const rows = this.sql
      .exec<{ n: number; op: string }>(
        "SELECT n, op FROM kv_pending ORDER BY n LIMIT ?",
        MAX_DELTA_OPS,
      )
      .toArray();
    const last = rows[rows.length - 1] as { n: number };
    const ops = rows.flatMap((r) => parseOp(r.op) ?? []);
    const key = KV_KEYS.delta(st.epoch, st.deltas.length);
    await this.put(key, JSON.stringify(ops), now, { expirationTtl: DELTA_TTL_S });
    const deltas = [...st.deltas, key];
    await this.putManifest(manifestOf(st, deltas, now));
    this.sql.exec("DELETE FROM kv_pending WHERE n <= ?", last.n);
    setMeta(this.sql, "kv_deltas", JSON.stringify(deltas));
    setMeta(this.sql, "kv_entries", st.entries + rows.length);
    return "delta";
  }

  private async compactNow(now: number): Promise<FlushOutcome> {
    // Read synchronously: changes queued from here on stay pending for the new epoch.
    const upTo = Number(this.sql.exec("SELECT COALESCE(MAX(n), 0) AS m FROM kv_pending").one().m);
    const st = this.state();
    // Never reuse an epoch's keys, even those of a compaction that failed half-way.
    const epoch = Math.max(st.epoch, metaNumber(this.sql, "kv_epoch_seq") ?? 0) + 1;
    setMeta(this.sql, "kv_epoch_seq", epoch);
    const written: string[] = [];
    let out: Awaited<ReturnType<typeof streamSnapshot>>;
    try {
      out = await streamSnapshot(this.sql, now, this.options.partBytes, async (i, part) => {
        const key = KV_KEYS.part(epoch, i);
        await this.put(key, part.data, now);
        written.push(key);
        return key;
      });
      await this.putManifest({ v: 2, epoch, base: out.base, deltas: [], updated: now });
    } catch (e) {
      this.toGarbage(written, now);
      throw e;
    }
    this.sql.exec("DELETE FROM kv_pending WHERE n <= ?", upTo);
    this.toGarbage(
      [...(st.base?.parts.map((p) => p.key) ?? []), ...(st.legacyBase ? [st.legacyBase] : [])],
      now + GARBAGE_GRACE_MS,
    );
    const stats: CompactionStats = {
      epoch,
      rows: out.rows,
      chunks: out.chunks,
      parts: out.base.parts.length,
      bytes: out.base.bytes,
      peak_bytes: out.peak,
      at: now,
    };
    setMeta(this.sql, "kv_epoch", epoch);
    setMeta(this.sql, "kv_base_ref", JSON.stringify(out.base));
    setMeta(this.sql, "kv_base", out.base.parts[0]?.key ?? "");
    setMeta(this.sql, "kv_deltas", "[]");
    setMeta(this.sql, "kv_entries", 0);
    setMeta(this.sql, "kv_epoch_at", now);
    setMeta(this.sql, "kv_repair", "");
    setMeta(this.sql, "kv_last_compaction", JSON.stringify(stats));
    return "base";
  }

  private toGarbage(keys: readonly string[], after: number): void {
    for (const key of keys) {
      this.sql.exec("INSERT OR REPLACE INTO kv_garbage (key, after) VALUES (?, ?)", key, after);
    }
  }

  /** One KV write, spent from the budget. */
  private async put(
    key: string,
    value: string | ArrayBuffer | Uint8Array,
    now: number,
    options?: KVNamespacePutOptions,
  ): Promise<void> {
    await this.kv.put(key, value, options);
    this.spend.record("writes", 1, now);
  }

  /** Writes the manifest, publishing a changed operator allowlist first (`allowlist.ts`). */
  private async putManifest(m: Manifest): Promise<void> {
    const allow = await this.publishAllow(m.updated);
    await this.put(KV_KEYS.manifest, JSON.stringify(allow ? { ...m, allow } : m), m.updated);
    setMeta(this.sql, "kv_last_write", m.updated);
  }

  private async publishAllow(now: number): Promise<string | undefined> {
    const text = metaText(this.sql, "kv_allow_pending");
    if (text) {
      const n = (metaNumber(this.sql, "kv_allow_n") ?? 0) + 1;
      await this.put(allowKey(n), text, now);
      const old = metaText(this.sql, "kv_allow");
      if (old) this.toGarbage([old], now + GARBAGE_GRACE_MS);
      setMeta(this.sql, "kv_allow", allowKey(n));
      setMeta(this.sql, "kv_allow_n", n);
      // A change made while the put was in flight stays pending for the next flush.
      if (metaText(this.sql, "kv_allow_pending") === text)
        setMeta(this.sql, "kv_allow_pending", "");
    }
    return metaText(this.sql, "kv_allow") || undefined;
  }
}

/** A queued op that does not read back (never written so) is skipped, not retried forever. */
function parseOp(text: string): DeltaOp | undefined {
  try {
    return JSON.parse(text) as DeltaOp;
  } catch {
    console.error(`palisade.ledger.poison_op: skipped unreadable KV change ${text.slice(0, 80)}`);
    return undefined;
  }
}
