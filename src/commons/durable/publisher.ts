import { DurableObject } from "cloudflare:workers";
import { metaNumber, migrate, setMeta } from "../../durable/migrate";
import { commonsConfig } from "../config";
import type { CommonsEnv } from "../env";
import type { BaseRef, PullAnswer } from "../publication/types";
import { baseCost, baseRef, compact, usableBase } from "./publisher-compact";
import {
  type Applied,
  applyRows,
  changeCount,
  changedSince,
  entryOf,
  liveCount,
} from "./publisher-list";
import { PUBLISHER_MIGRATIONS } from "./publisher-schema";
import { shardAt } from "./stubs";

/**
 * Changes applied per publication, shared among the shards with news: one publication is
 * one transaction, which blocks the object while it runs; past this, the rest goes in
 * the next publication, 100 ms later.
 */
const PUBLISH_ROWS = 5_000;
/**
 * A base is rewritten past this many changed keys (or a tenth of the list, if more, up to
 * COMPACT_MAX): what a full pull receives beside the base stays small.
 */
const COMPACT_MIN = 1_000;
const COMPACT_MAX = 20_000;
/** Changed keys a delta answer carries at most (an RPC answer stays a few MB). */
const PULL_DELTA_MAX = 50_000;

export interface PublishReport {
  version: number;
  adds: number;
  dels: number;
  /** The version's delta in the core/blocklist format, JSON bytes. */
  bytes: number;
  listed: number;
  compacted: BaseRef | null;
  /** Of `ms`, the time spent writing the base snapshot (0 when none was written). */
  compactMs: number;
  ms: number;
}

/**
 * The published list ("publisher"): every COMMONS_PUBLISH_MS (when a shard has news) it
 * drains the shards' outboxes, applies their changes as one new version, and now and
 * then writes a base snapshot to KV. Members' pulls ask it what changed since their
 * cursor: a few rows, whatever the size of the list.
 */
export class Publisher extends DurableObject<CommonsEnv> {
  private readonly sql: SqlStorage;
  /** Publications run one after the other: each awaits the shards, where others could start. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: CommonsEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, PUBLISHER_MIGRATIONS);
    });
  }

  /** A shard has changes: publish at the next tick. */
  async notify(shard: number): Promise<void> {
    this.sql.exec("INSERT OR IGNORE INTO dirty (shard) VALUES (?)", shard);
    const last = metaNumber(this.sql, "published_at") ?? 0;
    const at = Math.max(Date.now(), last + commonsConfig(this.env).publishMs);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  override async alarm(): Promise<void> {
    const report = await this.publish();
    const dirty = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM dirty").one().n;
    if (dirty > 0)
      await this.ctx.storage.setAlarm(Date.now() + (report.adds + report.dels > 0 ? 100 : 1000));
  }

  /** One publication: drains the dirty shards, makes a version, compacts and prunes. */
  publish(): Promise<PublishReport> {
    const run = this.queue.then(() => this.publishOnce());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async publishOnce(): Promise<PublishReport> {
    const t0 = Date.now();
    const version = (metaNumber(this.sql, "version") ?? 0) + 1;
    const applied: Applied = { adds: 0, dels: 0, bytes: 0 };
    const dirty = this.sql.exec<{ shard: number }>("SELECT shard FROM dirty").toArray();
    // Drain first, apply after, in one transaction: a pull never sees half a version.
    // A drained row stays in its shard until the next drain acknowledges it.
    const limit = Math.max(100, Math.ceil(PUBLISH_ROWS / Math.max(1, dirty.length)));
    const drained = await Promise.all(
      dirty.map(async ({ shard }) => {
        const cursor =
          this.sql
            .exec<{ seq: number }>("SELECT seq FROM cursors WHERE shard = ?", shard)
            .toArray()[0]?.seq ?? 0;
        return { shard, cursor, ...(await shardAt(this.env, shard).drain(cursor, limit)) };
      }),
    );
    let bytes = 0;
    this.ctx.storage.transactionSync(() => {
      for (const { shard, cursor, changes, more } of drained) {
        applyRows(this.sql, changes, version, applied);
        const last = changes.at(-1)?.seq ?? cursor;
        this.sql.exec("INSERT OR REPLACE INTO cursors (shard, seq) VALUES (?, ?)", shard, last);
        if (!more) this.sql.exec("DELETE FROM dirty WHERE shard = ?", shard);
      }
      bytes = applied.adds + applied.dels > 0 ? applied.bytes + 1 : 0;
      if (applied.adds + applied.dels > 0) {
        this.sql.exec(
          "INSERT INTO versions (version, at, adds, dels, bytes) VALUES (?, ?, ?, ?, ?)",
          version,
          t0,
          applied.adds,
          applied.dels,
          bytes,
        );
        setMeta(this.sql, "version", version);
      }
    });
    const changed = applied.adds + applied.dels > 0;
    setMeta(this.sql, "published_at", t0);
    const tc = Date.now();
    const compacted = changed ? await this.maybeCompact(version, t0) : null;
    const compactMs = compacted ? Date.now() - tc : 0;
    this.prune(t0);
    return {
      version: changed ? version : version - 1,
      adds: applied.adds,
      dels: applied.dels,
      bytes: changed ? bytes : 0,
      listed: liveCount(this.sql),
      compacted,
      compactMs,
      ms: Date.now() - t0,
    };
  }

  private async maybeCompact(version: number, now: number): Promise<BaseRef | null> {
    const base = baseRef(this.sql);
    const since = changeCount(this.sql, base?.version ?? 0);
    const live = liveCount(this.sql);
    const halfRetention = commonsConfig(this.env).retentionMs / 2;
    const baseAt = metaNumber(this.sql, "base_at") ?? now;
    const due =
      since >= Math.max(COMPACT_MIN, Math.min(COMPACT_MAX, live / 10)) ||
      (base !== null && now - baseAt > halfRetention);
    const part = commonsConfig(this.env).basePartEntries;
    return due ? compact(this.sql, this.env.COMMONS_LIST, version, part) : null;
  }

  /** History older than the retention and covered by the base is dropped. */
  private prune(now: number): void {
    // Keep what the base before the current one needs: full pulls may still read it.
    const base = baseRef(this.sql);
    if (!base) return;
    const keepFrom = metaNumber(this.sql, "prev_base_version") ?? base.version;
    const cutoff = now - commonsConfig(this.env).retentionMs;
    const upTo = this.sql
      .exec<{ v: number | null }>(
        "SELECT MAX(version) AS v FROM versions WHERE at <= ? AND version <= ?",
        cutoff,
        keepFrom,
      )
      .one().v;
    if (upTo === null) return;
    this.sql.exec("DELETE FROM changes WHERE version <= ?", upTo);
    this.sql.exec("DELETE FROM versions WHERE version <= ?", upTo);
    setMeta(this.sql, "floor", upTo);
  }

  /**
   * What a member gets: the changes since `since` when the history still holds them,
   * else (or when `full`) the whole list as the base plus the changes since it. `dels`
   * are the keys delisted since `since` whenever the history allows it.
   */
  pull(since: number | null, full: boolean): PullAnswer {
    const version = metaNumber(this.sql, "version") ?? 0;
    const floor = metaNumber(this.sql, "floor") ?? 0;
    // A member far behind (more changed keys than a full answer carries beside its base)
    // gets the whole list instead; deletions it missed end on their own (their duration).
    const known =
      since !== null &&
      since >= floor &&
      since <= version &&
      changeCount(this.sql, since) <= PULL_DELTA_MAX;
    const sinceRows = known ? changedSince(this.sql, since) : [];
    const dels = sinceRows
      .filter((r) => r.live === 0)
      .map((r) => ({ key: r.key, scope: entryOf(r).scope, scenario: r.scenario }));
    if (known && !full) {
      const adds = sinceRows.filter((r) => r.live === 1).map(entryOf);
      return { version, full: false, base: null, adds, removed: [], dels };
    }
    const base = usableBase(this.sql, Date.now());
    const rows = changedSince(this.sql, base?.version ?? 0);
    return {
      version,
      full: true,
      base,
      adds: rows.filter((r) => r.live === 1).map(entryOf),
      removed: rows.filter((r) => r.live === 0).map((r) => r.key),
      dels,
    };
  }

  status(): {
    version: number;
    listed: number;
    publishedAt: number | null;
    base: (BaseRef & { ms: number; bytes: number }) | null;
  } {
    const base = baseRef(this.sql);
    return {
      version: metaNumber(this.sql, "version") ?? 0,
      listed: liveCount(this.sql),
      publishedAt: metaNumber(this.sql, "published_at") ?? null,
      base: base ? { ...base, ...baseCost(this.sql) } : null,
    };
  }
}
