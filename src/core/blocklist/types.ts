/**
 * The KV blocklist's wire types, shared by the writer (the Ledger Durable Object) and
 * the reader (the edge). Layout and costs: README.md in this folder.
 */

/** One active decision as the edge enforces it. */
export interface DecisionEntry {
  /** The Ledger's decision id: what a delta's `del` names. A non-negative safe integer. */
  id: number;
  /** `ban` | `captcha` | `throttle`, or any other type (ranked after those). */
  type: string;
  /** `Ip` | `Range` | `Country` | `AS` (others cannot be enforced at the edge and are left out). */
  scope: string;
  /**
   * Canonical per scope (see `canonicalEntryValue`): IPv4 dotted, IPv6 compressed, a
   * CIDR's network/prefix, an ISO country code upper-case, an AS number in decimal.
   */
  value: string;
  /** End of the decision, ms since the epoch. Stored at 1 s precision, rounded up. */
  until: number;
}

/** `bl:manifest`: which base snapshot and which deltas make the current blocklist. */
export interface Manifest {
  v: 1;
  /** Bumped by every compaction; names the base and scopes the deltas. */
  epoch: number;
  /** `bl:base:<epoch>`, or null before the first compaction (the deltas are everything). */
  base: string | null;
  /** `bl:delta:<epoch>:<i>` in the order they were written (append-only within an epoch). */
  deltas: string[];
  /** When the manifest was written, ms since the epoch. */
  updated: number;
}

export type DeltaOp = { op: "add"; d: DecisionEntry } | { op: "del"; id: number };

export const KV_KEYS = {
  manifest: "bl:manifest",
  base: (epoch: number): string => `bl:base:${epoch}`,
  delta: (epoch: number, i: number): string => `bl:delta:${epoch}:${i}`,
} as const satisfies {
  manifest: "bl:manifest";
  base(epoch: number): string;
  delta(epoch: number, i: number): string;
};

/** A lookup: the visitor's IP (any text form) and, from `request.cf`, country and ASN. */
export interface BlocklistQuery {
  ip: string;
  country?: string | undefined;
  asn?: string | number | undefined;
}

export interface BlocklistOptions {
  /**
   * An IPv6 `Ip` entry covers its whole /ipv6Prefix (default 64): an attacker owns the
   * prefix, not one address of it. 128 makes IPv6 entries exact.
   */
  ipv6Prefix?: number;
}
