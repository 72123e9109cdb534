import type { ConsensusStore } from "../../../src/commons/consensus/engine";
import type {
  ListChange,
  Listing,
  ReportRow,
  TrustDelta,
} from "../../../src/commons/consensus/types";

/** The consensus store in maps: what the simulation runs the shard's algorithm over. */
export class MemoryStore implements ConsensusStore {
  readonly rows = new Map<string, ReportRow[]>();
  readonly listings = new Map<string, Listing>();
  readonly outbox: ListChange[] = [];
  readonly credits: { member: string; delta: TrustDelta }[] = [];

  reportsOf(key: string): ReportRow[] {
    return [...(this.rows.get(key) ?? [])];
  }
  putReport(row: ReportRow): void {
    const list = (this.rows.get(row.key) ?? []).filter(
      (r) => !(r.member === row.member && r.scenario === row.scenario),
    );
    list.push(row);
    this.rows.set(row.key, list);
  }
  deleteReport(row: ReportRow): void {
    const list = (this.rows.get(row.key) ?? []).filter(
      (r) => !(r.member === row.member && r.scenario === row.scenario),
    );
    if (list.length === 0) this.rows.delete(row.key);
    else this.rows.set(row.key, list);
  }
  deleteReports(key: string, member: string): void {
    const list = (this.rows.get(key) ?? []).filter((r) => r.member !== member);
    if (list.length === 0) this.rows.delete(key);
    else this.rows.set(key, list);
  }
  listingOf(key: string): Listing | undefined {
    return this.listings.get(key);
  }
  putListing(listing: Listing): void {
    this.listings.set(listing.key, listing);
  }
  deleteListing(key: string): void {
    this.listings.delete(key);
  }
  dueListings(now: number, limit: number): string[] {
    const out: string[] = [];
    for (const l of this.listings.values()) {
      if (l.reviewAt <= now) out.push(l.key);
      if (out.length === limit) break;
    }
    return out;
  }
  expiredReports(before: number, limit: number): ReportRow[] {
    const out: ReportRow[] = [];
    for (const list of this.rows.values()) {
      for (const r of list) {
        if (r.lastAt <= before) out.push(r);
        if (out.length === limit) return out;
      }
    }
    return out;
  }
  keysOf(member: string): string[] {
    const out: string[] = [];
    for (const [key, list] of this.rows) if (list.some((r) => r.member === member)) out.push(key);
    return out;
  }
  emit(change: ListChange): void {
    this.outbox.push(change);
  }
  credit(member: string, delta: TrustDelta): void {
    this.credits.push({ member, delta });
  }
}
