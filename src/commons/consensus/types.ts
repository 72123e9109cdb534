/**
 * The consensus' data, as the shards store it (SQLite in a Durable Object) and the
 * simulation keeps it (maps in memory). Times are ms since the epoch, the receiving
 * shard's clock: a member's own timestamps are never trusted for consensus.
 */

/** A signal as it reaches its shard: one address, one member, one scenario. */
export interface IncomingReport {
  /** Deduplication id within the member: the signal's `uuid`, or a digest of its content. */
  id: string;
  /** The consensus key: an IPv4 address or an IPv6 /64. */
  key: string;
  scope: "Ip" | "Range";
  member: string;
  scenario: string;
  /** Enrolled member, certified scenario, not safe-listed: it counts toward listing. */
  counted: boolean;
  /** Why it does not count (empty when it does). */
  why: string;
  /** The member's trust when it reported: what its report weighs. */
  trust: number;
}

/**
 * 0: no listing yet (it may still corroborate one); 1: it was among the reports that
 * listed the key; 2: made while the key was already listed (neutral: agreeing with a
 * published list earns no trust, or a member could farm trust by replaying the list).
 */
export type Corroboration = 0 | 1 | 2;

/** One member's reports of one key under one scenario, merged. */
export interface ReportRow {
  key: string;
  member: string;
  scenario: string;
  firstAt: number;
  lastAt: number;
  count: number;
  counted: boolean;
  why: string;
  trust: number;
  corroboration: Corroboration;
}

/** A listed key. */
export interface Listing {
  key: string;
  scope: "Ip" | "Range";
  scenario: string;
  listedAt: number;
  /** When it is delisted if no report comes: what members are told as the duration. */
  until: number;
  /** The `until` last published (a later one is republished only past `republishMs`). */
  publishedUntil: number;
  /** When the shard must look at it again (decay, a report leaving the window). */
  reviewAt: number;
  score: number;
  reporters: number;
}

/** What a shard hands the publisher. */
export type ListChange =
  | { op: "add"; key: string; scope: "Ip" | "Range"; scenario: string; until: number }
  | { op: "del"; key: string; scope: "Ip" | "Range" };

/** Trust outcomes of a member's reports, sent to the Registry in batches. */
export interface TrustDelta {
  corroborated: number;
  uncorroborated: number;
}
