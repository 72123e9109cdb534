import {
  canonicalEntryValue,
  type DecisionEntry,
  type DeltaOp,
  encodeSnapshot,
  KV_KEYS,
  type Manifest,
} from "../../core/blocklist/index";
import { metaNumber, metaText, setMeta } from "../migrate";
import type { LedgerDecisionRow, LedgerStore } from "./store";

/**
 * The Ledger's KV writer (src/core/blocklist/README.md has the layout): changes queue in
 * `kv_pending`; a flush writes them as one `bl:delta:<epoch>:<i>` and the manifest (2
 * writes, however many changes); past COMPACT_AFTER_ENTRIES changes or
 * COMPACT_AFTER_KEYS deltas in an epoch, or hourly from the cron when the epoch has
 * deltas, a compaction writes a new base snapshot and manifest (2 writes) instead. A key
 * other than the manifest is written once, so KV's one-write-per-second-per-key limit
 * only concerns the manifest, which the Ledger writes at most every KV_FLUSH_MS.
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

export interface KvState {
  epoch: number;
  base: string | null;
  deltas: string[];
  /** Changes written in this epoch's deltas. */
  entries: number;
  /** When the epoch began (its base was written). */
  epochAt: number;
  /** Last manifest write, ms (0: never). */
  lastWrite: number;
}

export type FlushOutcome = "idle" | "delta" | "base" | "allow";

/** The operator allowlist's KV key (`bl:allow:<n>`), named by the manifest's `allow`. */
export const allowKey = (n: number): string => `bl:allow:${n}`;

export class KvWriter {
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sql: SqlStorage,
    private readonly store: LedgerStore,
    private readonly kv: KVNamespace,
    private readonly ipv6Prefix: number,
  ) {}

  /** The blocklist entry of a decision, or null when the edge cannot enforce its scope. */
  entryOf(row: LedgerDecisionRow): DecisionEntry | null {
    const value = canonicalEntryValue(row.scope, row.value, this.ipv6Prefix);
    if (value === undefined) return null;
    return { id: row.id, type: row.type, scope: row.scope, value, until: row.until };
  }

  state(): KvState {
    const sql = this.sql;
    const base = metaText(sql, "kv_base");
    return {
      epoch: metaNumber(sql, "kv_epoch") ?? 0,
      base: base ? base : null,
      deltas: JSON.parse(metaText(sql, "kv_deltas") ?? "[]") as string[],
      entries: metaNumber(sql, "kv_entries") ?? 0,
      epochAt: metaNumber(sql, "kv_epoch_at") ?? 0,
      lastWrite: metaNumber(sql, "kv_last_write") ?? 0,
    };
  }

  /** Changes waiting for a flush (an allowlist waiting to be published counts as one). */
  pending(): number {
    const ops = Number(this.sql.exec("SELECT COUNT(*) AS n FROM kv_pending").one().n);
    return ops + (metaText(this.sql, "kv_allow_pending") ? 1 : 0);
  }

  /** Writes pending changes as a delta, or compacts when the epoch is full. Serialised. */
  flush(now: number): Promise<FlushOutcome> {
    return this.serial(() => this.flushNow(now));
  }

  /** A new base snapshot of every live decision, and a manifest naming only it. */
  compact(now: number): Promise<FlushOutcome> {
    return this.serial(() => this.compactNow(now));
  }

  /** Deletes superseded bases whose grace period is over. */
  collect(now: number): Promise<number> {
    return this.serial(async () => {
      const due = this.sql
        .exec<{ key: string }>("SELECT key FROM kv_garbage WHERE after <= ?", now)
        .toArray();
      for (const { key } of due) {
        await this.kv.delete(key);
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

  private async flushNow(now: number): Promise<FlushOutcome> {
    const rows = this.sql
      .exec<{ n: number; op: string }>(
        "SELECT n, op FROM kv_pending ORDER BY n LIMIT ?",
        MAX_DELTA_OPS,
      )
      .toArray();
    const last = rows[rows.length - 1];
    const st = this.state();
    if (!last) {
      if (!metaText(this.sql, "kv_allow_pending")) return "idle";
      await this.putManifest({
        v: 1,
        epoch: st.epoch,
        base: st.base,
        deltas: st.deltas,
        updated: now,
      });
      setMeta(this.sql, "kv_last_write", now);
      return "allow";
    }
    if (
      st.deltas.length + 1 > COMPACT_AFTER_KEYS ||
      st.entries + rows.length > COMPACT_AFTER_ENTRIES
    ) {
      return this.compactNow(now);
    }
    const ops = rows.flatMap((r) => parseOp(r.op) ?? []);
    const key = KV_KEYS.delta(st.epoch, st.deltas.length);
    await this.kv.put(key, JSON.stringify(ops), { expirationTtl: DELTA_TTL_S });
    const deltas = [...st.deltas, key];
    await this.putManifest({ v: 1, epoch: st.epoch, base: st.base, deltas, updated: now });
    this.sql.exec("DELETE FROM kv_pending WHERE n <= ?", last.n);
    setMeta(this.sql, "kv_deltas", JSON.stringify(deltas));
    setMeta(this.sql, "kv_entries", st.entries + rows.length);
    setMeta(this.sql, "kv_last_write", now);
    return "delta";
  }

  private async compactNow(now: number): Promise<FlushOutcome> {
    // Read synchronously: changes queued while the puts are in flight stay pending.
    const upTo = Number(this.sql.exec("SELECT COALESCE(MAX(n), 0) AS m FROM kv_pending").one().m);
    const entries: DecisionEntry[] = [];
    for (const row of this.store.liveDecisions(now)) {
      const e = this.entryOf(row);
      if (e) entries.push(e);
    }
    const st = this.state();
    const epoch = st.epoch + 1;
    const base = KV_KEYS.base(epoch);
    await this.kv.put(base, encodeSnapshot(entries));
    await this.putManifest({ v: 1, epoch, base, deltas: [], updated: now });
    this.sql.exec("DELETE FROM kv_pending WHERE n <= ?", upTo);
    if (st.base) {
      this.sql.exec(
        "INSERT OR REPLACE INTO kv_garbage (key, after) VALUES (?, ?)",
        st.base,
        now + GARBAGE_GRACE_MS,
      );
    }
    setMeta(this.sql, "kv_epoch", epoch);
    setMeta(this.sql, "kv_base", base);
    setMeta(this.sql, "kv_deltas", "[]");
    setMeta(this.sql, "kv_entries", 0);
    setMeta(this.sql, "kv_epoch_at", now);
    setMeta(this.sql, "kv_last_write", now);
    return "base";
  }

  /** Writes the manifest, publishing a changed operator allowlist first (`allowlist.ts`). */
  private async putManifest(m: Manifest): Promise<void> {
    const allow = await this.publishAllow(m.updated);
    await this.kv.put(KV_KEYS.manifest, JSON.stringify(allow ? { ...m, allow } : m));
  }

  private async publishAllow(now: number): Promise<string | undefined> {
    const text = metaText(this.sql, "kv_allow_pending");
    if (text) {
      const n = (metaNumber(this.sql, "kv_allow_n") ?? 0) + 1;
      await this.kv.put(allowKey(n), text);
      const old = metaText(this.sql, "kv_allow");
      if (old) {
        this.sql.exec(
          "INSERT OR REPLACE INTO kv_garbage (key, after) VALUES (?, ?)",
          old,
          now + GARBAGE_GRACE_MS,
        );
      }
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
