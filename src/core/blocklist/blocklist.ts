import { parseAddress, prefixBounds, V4, V6 } from "./address";
import { entryKey, TABLE, TABLE_COUNT, upperAlnum } from "./canonical";
import { encodeSnapshot } from "./encode";
import { Best, searchIp6, searchPoint, searchRange4, searchRange6 } from "./search";
import { decodeTables, entryAt, type Tables } from "./tables";
import type { BlocklistOptions, BlocklistQuery, DecisionEntry, DeltaOp } from "./types";

const EMPTY: Tables = decodeTables(encodeSnapshot([]));

// Scratch for the lookup path: one lookup runs at a time (lookups are synchronous).
const best = new Best();
const addr = new Uint32Array(4);
const first = new Uint32Array(4);
const last = new Uint32Array(4);
const scratch = new Uint32Array(8);
/** The query's country key and ASN (the lookup passes u32 words by array, see search.ts). */
const other = new Uint32Array(2);

/**
 * The decisions the edge enforces: a base snapshot (typed-array views over the bytes KV
 * returned) plus an overlay of the deltas written since. A delta `add` or `del` shadows
 * the base entry with that id (so an add replaces it); the overlay's own entries are a
 * small snapshot rebuilt on each `apply`. `lookup` costs a binary search per table and
 * allocates nothing unless it finds a live decision.
 */
export class Blocklist {
  private overlayTables: Tables = EMPTY;
  private readonly overlay = new Map<number, DecisionEntry>();
  private readonly shadow = new Set<number>();
  private readonly ipv6Prefix: number;
  private baseLive: number | undefined;

  private constructor(
    private readonly base: Tables,
    options: BlocklistOptions,
  ) {
    const p = options.ipv6Prefix ?? 64;
    if (!Number.isInteger(p) || p < 0 || p > 128) {
      throw new RangeError(`ipv6Prefix must be an integer 0..128, got ${p}`);
    }
    this.ipv6Prefix = p;
  }

  static empty(options: BlocklistOptions = {}): Blocklist {
    return new Blocklist(EMPTY, options);
  }

  /** Throws when `bytes` is not a well-formed snapshot (see format.ts). */
  static fromSnapshot(bytes: Uint8Array, options: BlocklistOptions = {}): Blocklist {
    return new Blocklist(decodeTables(bytes), options);
  }

  /**
   * Applies delta operations in order. Returns how many were ignored: malformed, or an
   * add the edge cannot match (whose id still stops matching, as the writer replaced it).
   */
  apply(ops: readonly DeltaOp[]): number {
    let ignored = 0;
    for (const op of ops as readonly unknown[]) {
      const o = op as Partial<{ op: unknown; d: unknown; id: unknown }> | null;
      if (o?.op === "add" && isEntry(o.d)) {
        this.shadow.add(o.d.id);
        if (entryKey(o.d.scope, o.d.value, scratch) >= 0) this.overlay.set(o.d.id, { ...o.d });
        else {
          this.overlay.delete(o.d.id);
          ignored++;
        }
      } else if (o?.op === "del" && isId(o.id)) {
        this.shadow.add(o.id);
        this.overlay.delete(o.id);
      } else ignored++;
    }
    this.overlayTables =
      this.overlay.size === 0 ? EMPTY : decodeTables(encodeSnapshot([...this.overlay.values()]));
    this.baseLive = undefined;
    return ignored;
  }

  /**
   * The decision to enforce on a visitor at `now` (ms), or undefined: among live entries
   * matching its address (exact IPv4; an IPv6 `Ip` entry over its /ipv6Prefix; any
   * `Range` holding it), its country and its ASN, the highest precedence wins (ban >
   * captcha > throttle > other), then the latest end, then the lowest id. `country` is
   * matched upper-cased; `asn` as a number or decimal string.
   */
  lookup(q: BlocklistQuery, now: number): DecisionEntry | undefined {
    best.reset(now);
    const kind = parseAddress(q.ip, addr);
    if (kind === V6) prefixBounds(addr, this.ipv6Prefix, first, last);
    const country = countryOf(q.country);
    const asn = asnOf(q.asn);
    if (this.shadow.size > 0) best.shadow = this.shadow;
    search(this.base, kind, country, asn);
    best.shadow = null;
    if (this.overlayTables !== EMPTY) search(this.overlayTables, kind, country, asn);
    return best.tables === null ? undefined : entryAt(best.tables, best.pos);
  }

  /**
   * Whether any Country or AS entry is held, so a caller can skip gathering a visitor's
   * country and ASN (reading `request.cf` is not free) when none could match.
   */
  get usesGeo(): boolean {
    return hasGeo(this.base) || hasGeo(this.overlayTables);
  }

  /** Entries held (expired ones included until the next base drops them). */
  get size(): number {
    if (this.baseLive === undefined) {
      const total = this.base.starts[TABLE_COUNT] as number;
      let live = total;
      if (this.shadow.size > 0) {
        for (let i = 0; i < total; i++) if (this.shadow.has(this.base.ids[i] as number)) live--;
      }
      this.baseLive = live;
    }
    return this.baseLive + this.overlay.size;
  }
}

function hasGeo(t: Tables): boolean {
  return t.country.length > 0 || t.asn.length > 0;
}

function search(t: Tables, kind: number, country: boolean, asn: boolean): void {
  if (kind === V4) {
    searchPoint(best, t, TABLE.ip4, addr, 0);
    searchRange4(best, t, addr);
  } else if (kind === V6) {
    searchIp6(best, t, first, last);
    searchRange6(best, t, addr);
  }
  if (country) searchPoint(best, t, TABLE.country, other, 0);
  if (asn) searchPoint(best, t, TABLE.asn, other, 1);
}

/** Writes the country's key to other[0]; false when there is none. */
function countryOf(country: string | undefined): boolean {
  if (country === undefined || country.length !== 2) return false;
  const a = upperAlnum(country.charCodeAt(0));
  const b = upperAlnum(country.charCodeAt(1));
  if (a < 0 || b < 0) return false;
  other[0] = (a << 8) | b;
  return true;
}

/** Writes the ASN to other[1]; false when there is none. */
function asnOf(asn: string | number | undefined): boolean {
  if (typeof asn === "number") {
    if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff) return false;
    other[1] = asn;
    return true;
  }
  if (asn === undefined || asn.length === 0 || asn.length > 10) return false;
  let n = 0;
  for (let i = 0; i < asn.length; i++) {
    const c = asn.charCodeAt(i);
    if (c < 48 || c > 57) return false;
    n = n * 10 + (c - 48);
  }
  if (n > 0xffffffff) return false;
  other[1] = n;
  return true;
}

function isId(id: unknown): id is number {
  return typeof id === "number" && Number.isSafeInteger(id) && id >= 0;
}

function isEntry(d: unknown): d is DecisionEntry {
  if (typeof d !== "object" || d === null) return false;
  const e = d as Record<string, unknown>;
  return (
    isId(e.id) &&
    typeof e.type === "string" &&
    typeof e.scope === "string" &&
    typeof e.value === "string" &&
    typeof e.until === "number" &&
    !Number.isNaN(e.until)
  );
}
