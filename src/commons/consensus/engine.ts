import type { ConsensusParams } from "./params";
import { tally, verdict } from "./score";
import type { IncomingReport, ListChange, Listing, ReportRow, TrustDelta } from "./types";

/**
 * The consensus as a shard runs it, over a store: SQLite in the AddressShard Durable
 * Object, maps in the simulation (test/commons). Synchronous, like a Durable Object's
 * SQLite, so one call is one atomic step of the shard.
 */
export interface ConsensusStore {
  reportsOf(key: string): ReportRow[];
  putReport(row: ReportRow): void;
  deleteReport(row: ReportRow): void;
  /** Every row of a member for a key (all its scenarios). */
  deleteReports(key: string, member: string): void;
  listingOf(key: string): Listing | undefined;
  putListing(listing: Listing): void;
  deleteListing(key: string): void;
  /** Keys whose listing's `reviewAt` is at or before `now`, at most `limit`. */
  dueListings(now: number, limit: number): string[];
  /** Report rows whose `lastAt` is at or before `before`, at most `limit`. */
  expiredReports(before: number, limit: number): ReportRow[];
  /** Keys a member has reports of. */
  keysOf(member: string): string[];
  /** A change for the publisher (the shard's outbox). */
  emit(change: ListChange): void;
  /** A trust outcome for the Registry (the shard's trust outbox). */
  credit(member: string, delta: TrustDelta): void;
}

const SWEEP_BATCH = 500;

/** Records reports (already deduplicated) and evaluates each key they touch. */
export function record(
  store: ConsensusStore,
  reports: readonly IncomingReport[],
  now: number,
  p: ConsensusParams,
): void {
  const touched = new Set<string>();
  for (const r of reports) {
    const rows = store.reportsOf(r.key);
    const prev = rows.find((x) => x.member === r.member && x.scenario === r.scenario);
    const listed = store.listingOf(r.key) !== undefined;
    store.putReport({
      key: r.key,
      member: r.member,
      scenario: r.scenario,
      firstAt: prev?.firstAt ?? now,
      lastAt: now,
      count: (prev?.count ?? 0) + 1,
      counted: r.counted,
      why: r.why,
      trust: r.trust,
      corroboration: prev ? prev.corroboration : listed ? 2 : 0,
    });
    if (r.counted || prev?.counted) touched.add(r.key);
  }
  for (const key of touched) evaluate(store, key, scopeOf(key), now, p);
}

export function scopeOf(key: string): "Ip" | "Range" {
  return key.includes("/") ? "Range" : "Ip";
}

/**
 * Lists, extends or delists one key from its reports; emits what changed. `rejudge`
 * (after reports were forgotten or stopped counting) judges a listed key as if it were
 * not: it stays only if what remains would list it now.
 */
export function evaluate(
  store: ConsensusStore,
  key: string,
  scope: "Ip" | "Range",
  now: number,
  p: ConsensusParams,
  rejudge = false,
): void {
  const rows = store.reportsOf(key);
  const before = store.listingOf(key);
  const t = tally(rows, now, p);
  const v = verdict(t, rejudge ? undefined : before?.listedAt, now, p);
  if (!v.listed) {
    if (before) {
      store.deleteListing(key);
      store.emit({ op: "del", key, scope });
    }
    return;
  }
  const scenario = t.scenario || before?.scenario || "";
  const republish = !before || v.until > before.publishedUntil + p.republishMs;
  store.putListing({
    key,
    scope,
    scenario,
    listedAt: before?.listedAt ?? now,
    until: v.until,
    publishedUntil: republish ? v.until : (before as Listing).publishedUntil,
    reviewAt: v.reviewAt,
    score: t.score,
    reporters: t.reporters.length,
  });
  if (republish) store.emit({ op: "add", key, scope, scenario, until: v.until });
  if (!before) corroborate(store, rows, now, p);
}

/** The counted reports that listed a key raise their members' trust, once each. */
function corroborate(
  store: ConsensusStore,
  rows: readonly ReportRow[],
  now: number,
  p: ConsensusParams,
): void {
  const credited = new Set<string>();
  for (const r of rows) {
    if (!r.counted || r.corroboration !== 0 || r.lastAt <= now - p.windowMs) continue;
    store.putReport({ ...r, corroboration: 1 });
    if (credited.has(r.member)) continue;
    credited.add(r.member);
    store.credit(r.member, { corroborated: 1, uncorroborated: 0 });
  }
}

/**
 * The shard's alarm: reviews due listings (decay, delisting) and drops reports past the
 * window; a counted report that leaves uncorroborated lowers its member's trust.
 * Returns true when work remains (the caller runs it again soon).
 */
export function sweep(store: ConsensusStore, now: number, p: ConsensusParams): boolean {
  const due = store.dueListings(now, SWEEP_BATCH);
  for (const key of due) evaluate(store, key, scopeOf(key), now, p);
  const expired = store.expiredReports(now - p.windowMs, SWEEP_BATCH);
  const charged = new Set<string>();
  for (const r of expired) {
    store.deleteReport(r);
    const id = `${r.key}\u0000${r.member}`;
    if (r.counted && r.corroboration === 0 && !charged.has(id)) {
      charged.add(id);
      store.credit(r.member, { corroborated: 0, uncorroborated: 1 });
    }
  }
  return due.length === SWEEP_BATCH || expired.length === SWEEP_BATCH;
}

/** A revoked member's reports are forgotten and every key they touched is evaluated again. */
export function forget(
  store: ConsensusStore,
  member: string,
  now: number,
  p: ConsensusParams,
): number {
  const keys = store.keysOf(member);
  for (const key of keys) {
    store.deleteReports(key, member);
    evaluate(store, key, scopeOf(key), now, p, true);
  }
  return keys.length;
}

/**
 * Keys that became unlistable (the operator safe-listed their range): their reports stop
 * counting, with the reason, and a listing among them is withdrawn.
 */
export function exclude(
  store: ConsensusStore,
  keys: readonly string[],
  why: (key: string) => string,
  now: number,
  p: ConsensusParams,
): void {
  for (const key of keys) {
    for (const r of store.reportsOf(key)) {
      if (r.counted) store.putReport({ ...r, counted: false, why: why(key) });
    }
    evaluate(store, key, scopeOf(key), now, p, true);
  }
}
