import { type Allowlist, loadAllowlist } from "../core/allowlist";
import { Blocklist, type DeltaOp, KV_KEYS, type Manifest } from "../core/blocklist/index";
import { BadKey, readBase, readDelta, readManifestKey } from "./blocklist-load";

/**
 * The isolate's copy of the KV blocklist (layout: src/core/blocklist/README.md). A visitor
 * never waits on KV except the isolate's very first one: later requests read the copy,
 * and at most every `refreshMs` one of them starts a refresh in `waitUntil` (one read of
 * `bl:manifest`, plus only the keys it names that this isolate has not applied). A
 * refresh builds the new copy aside and swaps it in whole, so a visitor arriving while
 * it runs is served by the old copy.
 *
 * Staleness bound: a decision the Ledger has written reaches this isolate within
 * refreshMs (BLOCKLIST_REFRESH_MS, default 10 s) + the time KV takes to show the new
 * manifest and delta at this location (up to ~60 s on Cloudflare, as KV caches reads for
 * 60 s; ~0 locally) + the Ledger's own flush delay (KV_FLUSH_MS, longer when the KV write
 * budget is nearly spent). A refresh that fails keeps the last good copy and is retried
 * at the next interval — until the copy is `staleMs` old (BLOCKLIST_STALE_MS): then the
 * fail mode applies (logged `palisade.blocklist.stale`) until a refresh succeeds.
 *
 * A key that cannot be decoded is not a refresh failure: a bad delta is skipped (the
 * rest is enforced), a bad base keeps the previous copy; either way the key is reported
 * once to `report` (the Ledger rewrites it) and the status says `degraded`. Nothing here
 * writes to KV.
 */

export interface BlocklistCacheOptions {
  refreshMs: number;
  ipv6Prefix: number;
  /** After the first load, how old the copy may get while refreshes fail before the fail mode applies. */
  staleMs?: number;
  /** How long the isolate's first request waits for the first load before the fail mode applies. */
  firstLoadTimeoutMs?: number;
  /** After a failed first load, requests apply the fail mode without retrying for this long. */
  retryMs?: number;
  now?: () => number;
}

export type WaitUntil = (promise: Promise<unknown>) => void;
/** Where a key that cannot be decoded is reported (the Ledger, which rewrites it). */
export type ReportBadKey = (key: string, reason: string) => void;

/**
 * `idle`: no request has needed the list yet; `loading`: the first load runs; `ok`;
 * `degraded`: enforced but for keys that could not be decoded; `stale`: refreshes failing
 * past the bound (the fail mode applies); `unavailable`: never loaded (the fail mode).
 */
export type BlocklistState = "idle" | "loading" | "ok" | "degraded" | "stale" | "unavailable";

export interface BlocklistStatus {
  state: BlocklistState;
  epoch: number | null;
  base_parts: number;
  deltas: number;
  bad_keys: { key: string; reason: string }[];
  /** The last successful refresh, ms since the epoch (null: none yet). */
  loaded_at: number | null;
  failures: number;
  last_error: string | null;
}

const DEFAULT_STALE_MS = 15 * 60_000;

export class BlocklistCache {
  /** The operator allowlist the manifest names (`allow`), checked after a blocklist hit. */
  allowlist: Allowlist | undefined;
  private allowKey: string | null = null;
  private list: Blocklist | undefined;
  private manifest: Manifest | null = null;
  private applied = new Set<string>();
  private readonly badKeys = new Map<string, string>();
  private readonly reported = new Set<string>();
  private checkedAt = Number.NEGATIVE_INFINITY;
  private loadedAt: number | null = null;
  private inflight: Promise<void> | undefined;
  private failures = 0;
  private lastError: string | null = null;
  private staleLogged = false;
  private readonly now: () => number;

  constructor(private readonly options: BlocklistCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The blocklist for this request, or undefined while none can be enforced (the fail
   * mode: never loaded, or stale past the bound). Synchronous once the isolate holds one;
   * a promise only while the first load runs.
   */
  current(
    kv: KVNamespace,
    waitUntil: WaitUntil,
    report?: ReportBadKey,
  ): Blocklist | undefined | Promise<Blocklist | undefined> {
    const now = this.now();
    if (this.list) {
      if (!this.inflight && now - this.checkedAt >= this.options.refreshMs) {
        waitUntil(this.refresh(kv, report));
      }
      return this.isStale(now) ? this.staleNow(now) : this.list;
    }
    if (!this.inflight && now - this.checkedAt < (this.options.retryMs ?? 1000)) return undefined;
    return this.firstLoad(kv, waitUntil, report);
  }

  /**
   * The copy this isolate holds (refreshed in the background when due, as `current`),
   * or undefined before a visitor's request has loaded one: never a first load.
   */
  held(kv: KVNamespace, waitUntil: WaitUntil): Blocklist | undefined {
    return this.list ? (this.current(kv, waitUntil) as Blocklist) : undefined;
  }

  status(now = this.now()): BlocklistStatus {
    const state: BlocklistState = !this.list
      ? this.failures > 0
        ? "unavailable"
        : this.inflight
          ? "loading"
          : "idle"
      : this.isStale(now)
        ? "stale"
        : this.badKeys.size > 0
          ? "degraded"
          : "ok";
    return {
      state,
      epoch: this.manifest?.epoch ?? null,
      base_parts: this.manifest?.base?.parts.length ?? 0,
      deltas: this.manifest?.deltas.length ?? 0,
      bad_keys: [...this.badKeys].map(([key, reason]) => ({ key, reason })),
      loaded_at: this.loadedAt,
      failures: this.failures,
      last_error: this.lastError,
    };
  }

  private isStale(now: number): boolean {
    const bound = this.options.staleMs ?? DEFAULT_STALE_MS;
    return this.failures > 0 && this.loadedAt !== null && now - this.loadedAt >= bound;
  }

  private staleNow(now: number): undefined {
    if (!this.staleLogged) {
      this.staleLogged = true;
      console.error("palisade.blocklist.stale", {
        age_ms: now - (this.loadedAt ?? now),
        consecutiveFailures: this.failures,
        message: `The blocklist could not be refreshed for ${Math.round((now - (this.loadedAt ?? now)) / 1000)} s (BLOCKLIST_STALE_MS); the fail mode applies until a refresh succeeds. Last error: ${this.lastError}`,
      });
    }
    return undefined;
  }

  private async firstLoad(
    kv: KVNamespace,
    waitUntil: WaitUntil,
    report?: ReportBadKey,
  ): Promise<Blocklist | undefined> {
    const loading = this.refresh(kv, report);
    const timeout = this.options.firstLoadTimeoutMs ?? 5000;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeout);
    });
    await Promise.race([loading, timedOut]);
    if (timer !== null) clearTimeout(timer);
    // A slow first load keeps going for the next requests; this one applies the fail mode.
    if (!this.list) waitUntil(loading);
    return this.list;
  }

  /** Starts (or joins) a refresh; resolves when it is done, never rejects. */
  refresh(kv: KVNamespace, report?: ReportBadKey): Promise<void> {
    if (this.inflight) return this.inflight;
    this.checkedAt = this.now();
    this.inflight = this.load(kv, report)
      .then(() => {
        this.failures = 0;
        this.lastError = null;
        this.loadedAt = this.now();
        if (this.staleLogged)
          console.warn("palisade.blocklist.fresh", {
            message: "The blocklist is refreshed; enforcing again.",
          });
        this.staleLogged = false;
      })
      .catch((err: unknown) => this.failed(err, report))
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  private failed(err: unknown, report?: ReportBadKey): void {
    if (err instanceof BadKey) this.bad(err, report);
    this.failures++;
    this.lastError = err instanceof Error ? err.message : String(err);
    const detail = { message: this.lastError, consecutiveFailures: this.failures };
    if (this.list) console.warn("palisade.blocklist.refresh_failed", detail);
    else console.error("palisade.blocklist.unavailable", detail);
  }

  /** Records a key that cannot be decoded and reports it once. */
  private bad(err: BadKey, report?: ReportBadKey): void {
    this.badKeys.set(err.key, err.reason);
    if (this.reported.has(err.key)) return;
    this.reported.add(err.key);
    console.error("palisade.blocklist.bad_key", { key: err.key, reason: err.reason });
    report?.(err.key, err.reason);
  }

  private async load(kv: KVNamespace, report?: ReportBadKey): Promise<void> {
    const manifest = await readManifestKey(kv);
    this.badKeys.delete(KV_KEYS.manifest);
    await this.loadAllow(kv, manifest?.allow ?? null, report);
    if (manifest === null) {
      // Nothing was ever written: an empty blocklist, not a failure.
      if (!this.list || this.manifest !== null)
        this.swap(null, Blocklist.empty(this.blocklistOptions()), []);
      return;
    }
    if (this.list && this.manifest && sameBase(this.manifest, manifest)) {
      const fresh = manifest.deltas.filter((k) => !this.applied.has(k));
      const ops = await this.readDeltas(kv, fresh, report);
      this.list.apply(ops);
      for (const k of fresh) this.applied.add(k);
      this.manifest = manifest;
      return;
    }
    const opts = this.blocklistOptions();
    const [list, ops] = await Promise.all([
      manifest.base === null ? Blocklist.empty(opts) : readBase(kv, manifest.base, opts),
      this.readDeltas(kv, manifest.deltas, report),
    ]);
    list.apply(ops);
    this.swap(manifest, list, manifest.deltas);
  }

  /** The operations of `keys` in order, a key that cannot be decoded skipped and reported. */
  private async readDeltas(
    kv: KVNamespace,
    keys: string[],
    report?: ReportBadKey,
  ): Promise<DeltaOp[]> {
    const read = await Promise.all(keys.map((k) => readDelta(kv, k)));
    const ops: DeltaOp[] = [];
    for (const r of read) {
      if (r instanceof BadKey) this.bad(r, report);
      else for (const op of r) ops.push(op);
    }
    return ops;
  }

  private blocklistOptions() {
    return { ipv6Prefix: this.options.ipv6Prefix };
  }

  /**
   * Reads the allowlist key when the manifest names a new one (written by the Ledger); one
   * that cannot be read as an allowlist is reported and the previous one kept.
   */
  private async loadAllow(
    kv: KVNamespace,
    name: string | null,
    report?: ReportBadKey,
  ): Promise<void> {
    if (name === this.allowKey) return;
    if (name === null) {
      this.allowlist = undefined;
    } else {
      const text = await kv.get(name, "text");
      if (text === null) throw new Error(`${name} is named by the manifest but not visible yet`);
      const loaded = loadAllowlist([{ path: name, text }]);
      if (loaded.ok) this.allowlist = loaded.value;
      else this.bad(new BadKey(name, `not an allowlist: ${loaded.errors[0]?.message}`), report);
    }
    if (this.allowKey !== null && this.allowKey !== name) this.badKeys.delete(this.allowKey);
    this.allowKey = name;
  }

  private swap(manifest: Manifest | null, list: Blocklist, applied: string[]): void {
    this.list = list;
    this.manifest = manifest;
    this.applied = new Set(applied);
    // Keys of the previous manifests are gone; only the new one's can still be bad.
    const named = new Set([...(manifest?.base?.parts.map((p) => p.key) ?? []), ...applied]);
    if (this.allowKey) named.add(this.allowKey);
    for (const key of [...this.badKeys.keys()]) if (!named.has(key)) this.badKeys.delete(key);
  }
}

/** The same epoch and base: only deltas can have been added. */
function sameBase(a: Manifest, b: Manifest): boolean {
  return a.epoch === b.epoch && a.base?.parts[0]?.key === b.base?.parts[0]?.key;
}
