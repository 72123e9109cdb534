import type { Event } from "../event";

/**
 * The persisted state of one (scenario, group key) pair. Plain JSON on purpose: it is
 * stored as-is (Durable Object SQLite) and a JSON round trip must not change behaviour.
 *
 * CrowdSec keeps two things per key: the live bucket (destroyed when it overflows,
 * underflows or is cancelled) and the scenario's blackhole entry, which outlives the
 * bucket. Both live here so one record describes the key completely.
 */
export interface BucketState {
  v: 1;
  live?: LiveBucket;
  /** Overflows of this key before this instant (ms) are discarded (CrowdSec's blackhole). */
  blackholeUntil?: number;
}

/** One live bucket (CrowdSec's `Leaky`), times in ms since the epoch. */
export interface LiveBucket {
  /** Time of the first event poured (`First_ts`). */
  first: number;
  /** Time of the latest event poured (`Last_ts`). */
  last: number;
  /** Events poured so far (`Total_count`), including those that have leaked. */
  count: number;
  /** Token-bucket level (CrowdSec's rate.Limiter `tokens`). */
  tokens: number;
  /** Instant the token level was computed at (rate.Limiter `last`). */
  tokensAt: number;
  /** The latest events poured, oldest first, bounded by the scenario's queue limit. */
  queue: Event[];
  /** Distinct values already poured (CrowdSec's Uniq key cache), when the scenario has `distinct`. */
  seen?: string[];
}

export const STATE_VERSION = 1;

/** Narrows an unknown value (e.g. read back from storage) to a state this version can use. */
export function isBucketState(value: unknown): value is BucketState {
  if (typeof value !== "object" || value === null) return false;
  const s = value as { v?: unknown; live?: unknown; blackholeUntil?: unknown };
  if (s.v !== STATE_VERSION) return false;
  if (s.blackholeUntil !== undefined && typeof s.blackholeUntil !== "number") return false;
  return s.live === undefined || isLiveBucket(s.live);
}

function isLiveBucket(value: unknown): value is LiveBucket {
  if (typeof value !== "object" || value === null) return false;
  const b = value as Record<string, unknown>;
  const numbers = ["first", "last", "count", "tokens", "tokensAt"];
  if (!numbers.every((k) => typeof b[k] === "number")) return false;
  if (!Array.isArray(b.queue)) return false;
  return (
    b.seen === undefined || (Array.isArray(b.seen) && b.seen.every((x) => typeof x === "string"))
  );
}

/** A shallow working copy whose arrays can be replaced without touching the original. */
export function copyLive(live: LiveBucket): LiveBucket {
  const out: LiveBucket = {
    first: live.first,
    last: live.last,
    count: live.count,
    tokens: live.tokens,
    tokensAt: live.tokensAt,
    queue: live.queue,
  };
  if (live.seen !== undefined) out.seen = live.seen;
  return out;
}

/**
 * Appends like CrowdSec's Queue.Add: keeps at most `limit + 1` events, dropping the oldest.
 * A new array, unless `owned` (nothing else will read `queue`): then in place, which saves
 * copying up to 250 events on every pour of a busy bucket.
 */
export function queueAdd(queue: Event[], event: Event, limit: number, owned = false): Event[] {
  event = queuedEvent(event);
  if (owned) {
    queue.push(event);
    if (queue.length > limit + 1) queue.splice(0, queue.length - limit - 1);
    return queue;
  }
  const start = queue.length > limit ? queue.length - limit : 0;
  const out = queue.slice(start);
  out.push(event);
  return out;
}

/**
 * Longest string (in characters) a queued event keeps. A bucket's queue is stored with its
 * state in one SQLite row (at most 2 MB in a Durable Object): forty 404s with 20 KB paths
 * from one prober, each event holding its line and the fields parsed from it, outgrew it
 * and failed the batch. Cut at pour time, in the core, so a replay and the Worker queue
 * the same events whatever the batch boundaries.
 */
export const QUEUED_STRING_MAX = 1024;

/** `text` cut to its first `max` characters, the cut counted: `… [N more characters]`. */
export function clipText(text: string, max: number): string {
  return text.length <= max
    ? text
    : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** `event`, or a copy whose strings longer than QUEUED_STRING_MAX are cut (head kept, cut counted). */
export function queuedEvent(event: Event): Event {
  if (!hasLong(event)) return event;
  return cutStrings(event) as Event;
}

function hasLong(value: unknown): boolean {
  if (typeof value === "string") return value.length > QUEUED_STRING_MAX;
  if (typeof value !== "object" || value === null) return false;
  for (const v of Array.isArray(value) ? value : Object.values(value)) if (hasLong(v)) return true;
  return false;
}

function cutStrings(value: unknown): unknown {
  if (typeof value === "string") {
    return clipText(value, QUEUED_STRING_MAX);
  }
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(cutStrings);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = cutStrings(v);
  return out;
}

/** The state to keep, or undefined when nothing about this key needs remembering. */
export function compact(state: BucketState): BucketState | undefined {
  return state.live === undefined && state.blackholeUntil === undefined ? undefined : state;
}
