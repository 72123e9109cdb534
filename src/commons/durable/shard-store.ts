import type { Migration } from "../../durable/migrate";
import type { ConsensusStore } from "../consensus/engine";
import type { Corroboration, ListChange, Listing, ReportRow, TrustDelta } from "../consensus/types";

/** The consensus store in an AddressShard's SQLite. */

export const SHARD_MIGRATIONS: readonly Migration[] = [
  [
    `CREATE TABLE reports (
       key TEXT NOT NULL, member TEXT NOT NULL, scenario TEXT NOT NULL,
       first_at INTEGER NOT NULL, last_at INTEGER NOT NULL, count INTEGER NOT NULL,
       counted INTEGER NOT NULL, why TEXT NOT NULL, trust REAL NOT NULL,
       corroboration INTEGER NOT NULL, PRIMARY KEY (key, member, scenario)
     ) WITHOUT ROWID`,
    "CREATE INDEX reports_last ON reports (last_at)",
    "CREATE INDEX reports_member ON reports (member)",
    `CREATE TABLE listings (
       key TEXT PRIMARY KEY, scope TEXT NOT NULL, scenario TEXT NOT NULL,
       listed_at INTEGER NOT NULL, until INTEGER NOT NULL, published_until INTEGER NOT NULL,
       review_at INTEGER NOT NULL, score REAL NOT NULL, reporters INTEGER NOT NULL
     ) WITHOUT ROWID`,
    "CREATE INDEX listings_review ON listings (review_at)",
    `CREATE TABLE outbox (
       seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL, key TEXT NOT NULL,
       scope TEXT NOT NULL, scenario TEXT NOT NULL, until INTEGER NOT NULL
     )`,
    `CREATE TABLE credits (
       member TEXT PRIMARY KEY, corroborated INTEGER NOT NULL, uncorroborated INTEGER NOT NULL
     ) WITHOUT ROWID`,
    `CREATE TABLE seen (
       member TEXT NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (member, id)
     ) WITHOUT ROWID`,
    "CREATE INDEX seen_at ON seen (at)",
  ],
];

type ReportSql = {
  key: string;
  member: string;
  scenario: string;
  first_at: number;
  last_at: number;
  count: number;
  counted: number;
  why: string;
  trust: number;
  corroboration: number;
};

type ListingSql = {
  key: string;
  scope: string;
  scenario: string;
  listed_at: number;
  until: number;
  published_until: number;
  review_at: number;
  score: number;
  reporters: number;
};

function rowOf(r: ReportSql): ReportRow {
  return {
    key: r.key,
    member: r.member,
    scenario: r.scenario,
    firstAt: r.first_at,
    lastAt: r.last_at,
    count: r.count,
    counted: r.counted === 1,
    why: r.why,
    trust: r.trust,
    corroboration: r.corroboration as Corroboration,
  };
}

export function listingOf(r: ListingSql): Listing {
  return {
    key: r.key,
    scope: r.scope === "Range" ? "Range" : "Ip",
    scenario: r.scenario,
    listedAt: r.listed_at,
    until: r.until,
    publishedUntil: r.published_until,
    reviewAt: r.review_at,
    score: r.score,
    reporters: r.reporters,
  };
}

export class SqlConsensusStore implements ConsensusStore {
  constructor(private readonly sql: SqlStorage) {}

  reportsOf(key: string): ReportRow[] {
    return this.sql
      .exec<ReportSql>("SELECT * FROM reports WHERE key = ?", key)
      .toArray()
      .map(rowOf);
  }

  putReport(r: ReportRow): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO reports (key, member, scenario, first_at, last_at, count, counted, why, trust, corroboration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      r.key,
      r.member,
      r.scenario,
      r.firstAt,
      r.lastAt,
      r.count,
      r.counted ? 1 : 0,
      r.why,
      r.trust,
      r.corroboration,
    );
  }

  deleteReport(r: ReportRow): void {
    this.sql.exec(
      "DELETE FROM reports WHERE key = ? AND member = ? AND scenario = ?",
      r.key,
      r.member,
      r.scenario,
    );
  }

  deleteReports(key: string, member: string): void {
    this.sql.exec("DELETE FROM reports WHERE key = ? AND member = ?", key, member);
  }

  listingOf(key: string): Listing | undefined {
    const r = this.sql.exec<ListingSql>("SELECT * FROM listings WHERE key = ?", key).toArray()[0];
    return r ? listingOf(r) : undefined;
  }

  putListing(l: Listing): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO listings (key, scope, scenario, listed_at, until, published_until, review_at, score, reporters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      l.key,
      l.scope,
      l.scenario,
      l.listedAt,
      l.until,
      l.publishedUntil,
      // SQLite has no Infinity for an integer column: "never" is the largest safe integer.
      Number.isFinite(l.reviewAt) ? l.reviewAt : Number.MAX_SAFE_INTEGER,
      l.score,
      l.reporters,
    );
  }

  deleteListing(key: string): void {
    this.sql.exec("DELETE FROM listings WHERE key = ?", key);
  }

  dueListings(now: number, limit: number): string[] {
    return this.sql
      .exec<{ key: string }>(
        "SELECT key FROM listings WHERE review_at <= ? ORDER BY review_at LIMIT ?",
        now,
        limit,
      )
      .toArray()
      .map((r) => r.key);
  }

  expiredReports(before: number, limit: number): ReportRow[] {
    return this.sql
      .exec<ReportSql>(
        "SELECT * FROM reports WHERE last_at <= ? ORDER BY last_at LIMIT ?",
        before,
        limit,
      )
      .toArray()
      .map(rowOf);
  }

  keysOf(member: string): string[] {
    return this.sql
      .exec<{ key: string }>("SELECT DISTINCT key FROM reports WHERE member = ?", member)
      .toArray()
      .map((r) => r.key);
  }

  emit(c: ListChange): void {
    this.sql.exec(
      "INSERT INTO outbox (op, key, scope, scenario, until) VALUES (?, ?, ?, ?, ?)",
      c.op,
      c.key,
      c.scope,
      c.op === "add" ? c.scenario : "",
      c.op === "add" ? c.until : 0,
    );
  }

  credit(member: string, d: TrustDelta): void {
    this.sql.exec(
      "INSERT INTO credits (member, corroborated, uncorroborated) VALUES (?, ?, ?) ON CONFLICT (member) DO UPDATE SET corroborated = corroborated + excluded.corroborated, uncorroborated = uncorroborated + excluded.uncorroborated",
      member,
      d.corroborated,
      d.uncorroborated,
    );
  }
}
