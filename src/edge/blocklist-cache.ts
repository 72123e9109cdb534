import { type Allowlist, loadAllowlist } from "../core/allowlist";
import { Blocklist, type DeltaOp, KV_KEYS, type Manifest } from "../core/blocklist/index";

/**
 * The isolate's copy of the KV blocklist (layout: src/core/blocklist/README.md). A visitor
 * never waits on KV except the isolate's very first one: later requests read the copy,
 * and at most every `refreshMs` one of them starts a refresh in `waitUntil` (one read of
 * `bl:manifest`, plus only the keys it names that this isolate has not applied).
 *
 * Staleness bound: a decision the Ledger has written reaches this isolate within
 * refreshMs (BLOCKLIST_REFRESH_MS, default 10 s) + the time KV takes to show the new
 * manifest and delta at this location (up to ~60 s on Cloudflare, as KV caches reads for
 * 60 s; ~0 locally) + the Ledger's own flush delay (KV_FLUSH_MS). A refresh that fails,
 * or finds a key the manifest names not yet visible, keeps the last good copy and is
 * retried at the next interval. Nothing here writes to KV.
 */

export interface BlocklistCacheOptions {
  refreshMs: number;
  ipv6Prefix: number;
  /** How long the isolate's first request waits for the first load before the fail mode applies. */
  firstLoadTimeoutMs?: number;
  /** After a failed first load, requests apply the fail mode without retrying for this long. */
  retryMs?: number;
  now?: () => number;
}

export type WaitUntil = (promise: Promise<unknown>) => void;

export class BlocklistCache {
  /** The operator allowlist the manifest names (`allow`), checked after a blocklist hit. */
  allowlist: Allowlist | undefined;
  private allowKey: string | null = null;
  private list: Blocklist | undefined;
  private base: string | null = null;
  private epoch = -1;
  private applied = new Set<string>();
  private checkedAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private failures = 0;
  private readonly now: () => number;

  constructor(private readonly options: BlocklistCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The blocklist for this request, or undefined while none could be loaded (fail mode).
   * Synchronous once the isolate holds one; a promise only while the first load runs.
   */
  current(
    kv: KVNamespace,
    waitUntil: WaitUntil,
  ): Blocklist | undefined | Promise<Blocklist | undefined> {
    const now = this.now();
    if (this.list) {
      if (!this.inflight && now - this.checkedAt >= this.options.refreshMs) {
        waitUntil(this.refresh(kv));
      }
      return this.list;
    }
    if (!this.inflight && now - this.checkedAt < (this.options.retryMs ?? 1000)) return undefined;
    return this.firstLoad(kv, waitUntil);
  }

  /**
   * The copy this isolate holds (refreshed in the background when due, as `current`),
   * or undefined before a visitor's request has loaded one: never a first load.
   */
  held(kv: KVNamespace, waitUntil: WaitUntil): Blocklist | undefined {
    return this.list ? (this.current(kv, waitUntil) as Blocklist) : undefined;
  }

  private async firstLoad(kv: KVNamespace, waitUntil: WaitUntil): Promise<Blocklist | undefined> {
    const loading = this.refresh(kv);
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
  refresh(kv: KVNamespace): Promise<void> {
    if (this.inflight) return this.inflight;
    this.checkedAt = this.now();
    this.inflight = this.load(kv)
      .then(() => {
        this.failures = 0;
      })
      .catch((err: unknown) => this.failed(err))
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  private failed(err: unknown): void {
    this.failures++;
    const detail = {
      message: err instanceof Error ? err.message : String(err),
      consecutiveFailures: this.failures,
    };
    if (this.list) console.warn("palisade.blocklist.refresh_failed", detail);
    else console.error("palisade.blocklist.unavailable", detail);
  }

  private async load(kv: KVNamespace): Promise<void> {
    const raw = await kv.get(KV_KEYS.manifest, "json");
    if (raw === null) {
      // Nothing was ever written: an empty blocklist, not a failure.
      if (!this.list || this.base !== null || this.applied.size > 0)
        this.swap(emptyManifest(), null, []);
      await this.loadAllow(kv, null);
      return;
    }
    const manifest = checkManifest(raw);
    await this.loadAllow(kv, (raw as { allow?: unknown }).allow);
    if (this.list && manifest.epoch === this.epoch && manifest.base === this.base) {
      const fresh = manifest.deltas.filter((k) => !this.applied.has(k));
      const ops = await Promise.all(fresh.map((k) => readDelta(kv, k)));
      for (let i = 0; i < fresh.length; i++) {
        this.list.apply(ops[i] as DeltaOp[]);
        this.applied.add(fresh[i] as string);
      }
      return;
    }
    const [bytes, ops] = await Promise.all([
      manifest.base === null ? null : readBase(kv, manifest.base),
      Promise.all(manifest.deltas.map((k) => readDelta(kv, k))),
    ]);
    this.swap(manifest, bytes, ops);
  }

  /** Reads the allowlist key when the manifest names a new one (written by the Ledger). */
  private async loadAllow(kv: KVNamespace, key: unknown): Promise<void> {
    const name = typeof key === "string" && key !== "" ? key : null;
    if (name === this.allowKey) return;
    if (name === null) {
      this.allowlist = undefined;
    } else {
      const text = await kv.get(name, "text");
      if (text === null) throw new Error(`${name} is named by the manifest but not visible yet`);
      const loaded = loadAllowlist([{ path: name, text }]);
      if (!loaded.ok) throw new Error(`${name} is not an allowlist: ${loaded.errors[0]?.message}`);
      this.allowlist = loaded.value;
    }
    this.allowKey = name;
  }

  private swap(manifest: Manifest, bytes: ArrayBuffer | null, ops: DeltaOp[][]): void {
    const opts = { ipv6Prefix: this.options.ipv6Prefix };
    const list = bytes
      ? Blocklist.fromSnapshot(new Uint8Array(bytes), opts)
      : Blocklist.empty(opts);
    for (const o of ops) list.apply(o);
    this.list = list;
    this.epoch = manifest.epoch;
    this.base = manifest.base;
    this.applied = new Set(manifest.deltas);
  }
}

function emptyManifest(): Manifest {
  return { v: 1, epoch: -1, base: null, deltas: [], updated: 0 };
}

function checkManifest(raw: unknown): Manifest {
  const m = raw as Partial<Manifest> | null;
  if (
    typeof m !== "object" ||
    m === null ||
    m.v !== 1 ||
    typeof m.epoch !== "number" ||
    !(m.base === null || typeof m.base === "string") ||
    !Array.isArray(m.deltas) ||
    !m.deltas.every((k) => typeof k === "string")
  ) {
    throw new Error(`${KV_KEYS.manifest} is not a version 1 manifest`);
  }
  return m as Manifest;
}

async function readBase(kv: KVNamespace, key: string): Promise<ArrayBuffer> {
  const bytes = await kv.get(key, "arrayBuffer");
  if (bytes === null) throw new Error(`${key} is named by the manifest but not visible yet`);
  return bytes;
}

async function readDelta(kv: KVNamespace, key: string): Promise<DeltaOp[]> {
  const ops = await kv.get(key, "json");
  if (ops === null) throw new Error(`${key} is named by the manifest but not visible yet`);
  if (!Array.isArray(ops)) throw new Error(`${key} is not a list of delta operations`);
  return ops as DeltaOp[];
}
