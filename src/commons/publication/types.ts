/** The published list, as the Publisher keeps it and the Worker serves it. */

/** One listed key. IPv6 keys are /64 ranges (`2001:db8:1:2::/64`), scope `Range`. */
export interface PublishedEntry {
  /** Stable per key for the life of the commons: what a delta's `del` names. */
  id: number;
  key: string;
  scope: "Ip" | "Range";
  scenario: string;
  /** ms since the epoch: when it ends if no report comes. */
  until: number;
}

/** A base snapshot in KV, in parts: `cl:base:<version>:<i>` for i < chunks, each complete. */
export interface BaseRef {
  version: number;
  chunks: number;
  entries: number;
}

/** The Publisher's answer to a pull. */
export interface PullAnswer {
  /** The list's version now: the member's next cursor. */
  version: number;
  /** True: `base` plus `adds`/`removed` is the whole list; false: `adds`/`dels` are changes. */
  full: boolean;
  base: BaseRef | null;
  /** Full: entries added or changed since the base. Delta: since the cursor. */
  adds: PublishedEntry[];
  /** Full: keys of the base that are gone since. */
  removed: string[];
  /** Keys delisted since the cursor (also for a full answer, when the cursor is known). */
  dels: { key: string; scope: "Ip" | "Range"; scenario: string }[];
}

export const BASE_KEY = (version: number, part: number): string => `cl:base:${version}:${part}`;
