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

/** One part of a base snapshot: its size and entry count per table (format.ts order). */
export interface PartLayout {
  bytes: number;
  counts: number[];
}

/**
 * The shape of a base snapshot split into parts: the assembled snapshot's size, entry
 * count per table, type table and id width, and each part's. The edge sizes the
 * assembled snapshot from it before any part arrives.
 */
export interface BaseLayout {
  bytes: number;
  counts: number[];
  types: string[];
  ids64: boolean;
  parts: PartLayout[];
}

export interface PartRef extends PartLayout {
  key: string;
}

export interface BaseRef extends BaseLayout {
  parts: PartRef[];
}

/**
 * `bl:manifest`: which base snapshot and which deltas make the current blocklist.
 * Version 2 (the Ledger writes it since the base may be split over several keys);
 * readers also take version 1, whose `base` is one key (`ManifestV1`).
 */
export interface Manifest {
  v: 2;
  /** Bumped by every compaction; names the base and scopes the deltas. */
  epoch: number;
  /** The base's parts (`bl:base:<epoch>`, `bl:base:<epoch>:1`, …) and layout; null before the first compaction. */
  base: BaseRef | null;
  /** `bl:delta:<epoch>:<i>` in the order they were written (append-only within an epoch). */
  deltas: string[];
  /** When the manifest was written, ms since the epoch. */
  updated: number;
  /** The operator allowlist's key (`bl:allow:<n>`), when there is one. */
  allow?: string;
}

export interface ManifestV1 {
  v: 1;
  epoch: number;
  base: string | null;
  deltas: string[];
  updated: number;
  allow?: string;
}

export type DeltaOp = { op: "add"; d: DecisionEntry } | { op: "del"; id: number };

export const KV_KEYS = {
  manifest: "bl:manifest",
  base: (epoch: number): string => `bl:base:${epoch}`,
  /** Part i of a base: the first is `bl:base:<epoch>` (a base that fits one value keeps its v1 name). */
  part: (epoch: number, i: number): string =>
    i === 0 ? `bl:base:${epoch}` : `bl:base:${epoch}:${i}`,
  delta: (epoch: number, i: number): string => `bl:delta:${epoch}:${i}`,
} as const satisfies {
  manifest: "bl:manifest";
  base(epoch: number): string;
  part(epoch: number, i: number): string;
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
