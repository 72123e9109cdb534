import { DurableObject } from "cloudflare:workers";
import { IpRangeIndex, parseCidr } from "../../core/ip";
import { metaNumber, migrate, setMeta } from "../../durable/migrate";
import { commonsConfig } from "../config";
import { exclude, forget, record, sweep } from "../consensus/engine";
import type { IncomingReport, Listing, ReportRow } from "../consensus/types";
import type { CommonsEnv } from "../env";
import { seedListings } from "./shard-seed";
import { SHARD_MIGRATIONS, SqlConsensusStore } from "./shard-store";
import { publisherOf, registryOf } from "./stubs";

/** A change as the Publisher drains it from a shard's outbox. */
export type OutboxRow = {
  seq: number;
  op: "add" | "del";
  key: string;
  scope: "Ip" | "Range";
  scenario: string;
  until: number;
};

/** Deduplication ids are kept this long: an engine resends within seconds, not days. */
const DEDUP_MS = 48 * 3_600_000;
/** Trust credits wait at most this long before reaching the Registry. */
const CREDIT_FLUSH_MS = 30_000;
const MIN_ALARM_GAP_MS = 1_000;

/**
 * One shard of the commons' address state ("shard-<i>", i = FNV-1a(key) mod
 * COMMONS_SHARDS): every report of its keys, its listings and their review times, an
 * outbox of list changes the Publisher drains, and trust credits for the Registry. No
 * object holds the world: at a million listed keys and 16 shards each holds ~62,500.
 */
export class AddressShard extends DurableObject<CommonsEnv> {
  private readonly sql: SqlStorage;
  private readonly store: SqlConsensusStore;

  constructor(ctx: DurableObjectState, env: CommonsEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.store = new SqlConsensusStore(this.sql);
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, SHARD_MIGRATIONS);
    });
  }

  private get params() {
    return commonsConfig(this.env).consensus;
  }

  /** Records reports (duplicates by member and id skipped); returns how many were new. */
  async report(
    index: number,
    reports: readonly IncomingReport[],
    now: number,
  ): Promise<{ stored: number; duplicates: number }> {
    setMeta(this.sql, "index", index);
    const fresh: IncomingReport[] = [];
    this.ctx.storage.transactionSync(() => {
      for (const r of reports) {
        const cur = this.sql.exec(
          "INSERT OR IGNORE INTO seen (member, id, at) VALUES (?, ?, ?)",
          r.member,
          r.id,
          now,
        );
        if (cur.rowsWritten > 0) fresh.push(r);
      }
      record(this.store, fresh, now, this.params);
    });
    await this.afterChange(now);
    return { stored: fresh.length, duplicates: reports.length - fresh.length };
  }

  /** Outbox rows after `after` (the Publisher's cursor); rows up to `after` are dropped. */
  drain(after: number, limit: number): { changes: OutboxRow[]; more: boolean } {
    this.sql.exec("DELETE FROM outbox WHERE seq <= ?", after);
    const changes = this.sql
      .exec<OutboxRow>("SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", after, limit + 1)
      .toArray();
    const more = changes.length > limit;
    if (!more) setMeta(this.sql, "notified", 0);
    return { changes: changes.slice(0, limit), more };
  }

  reputation(key: string): { rows: ReportRow[]; listing: Listing | null } {
    return { rows: this.store.reportsOf(key), listing: this.store.listingOf(key) ?? null };
  }

  /** A revoked member's reports are forgotten; returns how many keys it had reported. */
  async forget(index: number, member: string, now: number): Promise<number> {
    setMeta(this.sql, "index", index);
    const n = this.ctx.storage.transactionSync(() => forget(this.store, member, now, this.params));
    await this.afterChange(now);
    return n;
  }

  /**
   * Keys inside newly safe-listed networks: their reports stop counting and their
   * listings end. `inside(key)` is evaluated here, so the Worker passes the networks.
   */
  async exclude(
    index: number,
    cidrs: readonly string[],
    reason: string,
    now: number,
  ): Promise<number> {
    setMeta(this.sql, "index", index);
    const match = insideAny(cidrs);
    const keys = this.sql
      .exec<{ key: string }>("SELECT DISTINCT key FROM reports")
      .toArray()
      .map((r) => r.key)
      .filter(match);
    const listed = keys.filter((k) => this.store.listingOf(k) !== undefined).length;
    this.ctx.storage.transactionSync(() =>
      exclude(this.store, keys, () => reason, now, this.params),
    );
    await this.afterChange(now);
    return listed;
  }

  stats(): { listed: number; reports: number; outbox: number } {
    const one = (q: string) => this.sql.exec<{ n: number }>(q).one().n;
    return {
      listed: one("SELECT COUNT(*) AS n FROM listings"),
      reports: one("SELECT COUNT(*) AS n FROM reports"),
      outbox: one("SELECT COUNT(*) AS n FROM outbox"),
    };
  }

  /** Bench only (COMMONS_BENCH_SEED=1): `count` synthetic listings, published as adds. */
  async seed(index: number, keys: readonly string[], now: number): Promise<number> {
    if (!commonsConfig(this.env).benchSeed) throw new Error("seeding is off (COMMONS_BENCH_SEED)");
    setMeta(this.sql, "index", index);
    const n = this.ctx.storage.transactionSync(() => seedListings(this.store, keys, now));
    await this.afterChange(now);
    return n;
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    let more = true;
    for (let i = 0; i < 20 && more; i++) {
      more = this.ctx.storage.transactionSync(() => sweep(this.store, now, this.params));
    }
    this.sql.exec("DELETE FROM seen WHERE at <= ?", now - DEDUP_MS);
    await this.flushCredits();
    await this.afterChange(now, more ? now + MIN_ALARM_GAP_MS : undefined);
  }

  private async flushCredits(): Promise<void> {
    const credits = this.sql
      .exec<{ member: string; corroborated: number; uncorroborated: number }>(
        "SELECT * FROM credits",
      )
      .toArray();
    if (credits.length === 0) return;
    await registryOf(this.env).credit(
      credits.map((c) => ({
        member: c.member,
        delta: { corroborated: c.corroborated, uncorroborated: c.uncorroborated },
      })),
    );
    this.sql.exec("DELETE FROM credits");
  }

  /** Tells the Publisher there is something to drain (once per drain), and arms the alarm. */
  private async afterChange(now: number, soon?: number): Promise<void> {
    const pending = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
    const index = metaNumber(this.sql, "index");
    if (pending > 0 && metaNumber(this.sql, "notified") !== 1 && index !== undefined) {
      await publisherOf(this.env).notify(index);
      setMeta(this.sql, "notified", 1);
    }
    const next = Math.min(soon ?? Number.POSITIVE_INFINITY, this.nextDeadline(now));
    if (!Number.isFinite(next)) return;
    const current = await this.ctx.storage.getAlarm();
    const at = Math.max(next, now + MIN_ALARM_GAP_MS);
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private nextDeadline(now: number): number {
    const min = (q: string) =>
      this.sql.exec<{ t: number | null }>(q).one().t ?? Number.POSITIVE_INFINITY;
    const credits = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM credits").one().n;
    return Math.min(
      min("SELECT MIN(review_at) AS t FROM listings"),
      min("SELECT MIN(last_at) AS t FROM reports") + this.params.windowMs,
      min("SELECT MIN(at) AS t FROM seen") + DEDUP_MS,
      credits > 0 ? now + CREDIT_FLUSH_MS : Number.POSITIVE_INFINITY,
    );
  }
}

/** A predicate: does a key (an address or a /64) share an address with any of the networks? */
function insideAny(cidrs: readonly string[]): (key: string) => boolean {
  const index = new IpRangeIndex(
    cidrs.flatMap((c) => {
      const cidr = parseCidr(c);
      return cidr ? [{ cidr, value: true }] : [];
    }),
  );
  return (key) => {
    const cidr = parseCidr(key);
    return cidr !== undefined && index.overlapping(cidr) === true;
  };
}
