// The edge's side of bench:scale in workerd, on the KV state a `wrangler dev` run left:
// a small Worker built from the edge's own reader (src/edge/blocklist-load.ts) and the
// core's lookup, run by Miniflare over the same KV files. It times, in the isolate, a
// cold read (manifest, parts in parallel, deltas) and the decode alone (assembly and
// range chains, bytes already in memory), and clean-visitor lookups against the same
// loop over an empty list (the baseline: address parsing and empty searches).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { freePort, inspect, root } from "./scale-support.mjs";

const ENTRY = `
import { Blocklist } from "${root}src/core/blocklist/index";
import { readBase, readDelta, readManifestKey } from "${root}src/edge/blocklist-load";

let list;
const clean = [];
for (let i = 0; i < 4096; i++) {
  const r = (Math.random() * 2 ** 32) >>> 0;
  // Benchmarking ranges: never in the loaded list.
  clean.push(i % 3 === 2 ? "2001:2:" + (r & 0xffff).toString(16) + "::" + (r >>> 16).toString(16) : "198." + (18 + (r & 1)) + "." + ((r >>> 8) & 255) + "." + ((r >>> 16) & 255));
}

async function load(kv) {
  const m = await readManifestKey(kv);
  const l = m && m.base ? await readBase(kv, m.base, {}) : Blocklist.empty();
  for (const k of (m && m.deltas) || []) { const ops = await readDelta(kv, k); if (Array.isArray(ops)) l.apply(ops); }
  return l;
}

function lookups(l, n) {
  const now = Date.now();
  let hits = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) if (l.lookup({ ip: clean[i & 4095] }, now)) hits++;
  return { ns: ((performance.now() - t0) * 1e6) / n, hits };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/load") {
      const t0 = performance.now();
      list = await load(env.BLOCKLIST);
      const ms = performance.now() - t0;
      const m = await readManifestKey(env.BLOCKLIST);
      return Response.json({ ms, entries: list.size, parts: m && m.base ? m.base.parts.map((p) => p.bytes) : [] });
    }
    if (url.pathname === "/decode") {
      // The parts' bytes first (KV reads), then the assembly and decode alone.
      const m = await readManifestKey(env.BLOCKLIST);
      const parts = await Promise.all(m.base.parts.map((p) => env.BLOCKLIST.get(p.key, "arrayBuffer")));
      const memory = { get: async (key) => parts[m.base.parts.findIndex((p) => p.key === key)] };
      const t0 = performance.now();
      await readBase(memory, m.base, {});
      return Response.json({ ms: performance.now() - t0 });
    }
    if (url.pathname === "/lookup") {
      const n = Number(url.searchParams.get("n"));
      const empty = Blocklist.empty();
      lookups(list, n >> 2);
      lookups(empty, n >> 2);
      const best = { loaded: Infinity, empty: Infinity, hits: 0 };
      for (let round = 0; round < 3; round++) {
        const a = lookups(list, n);
        const b = lookups(empty, n);
        best.loaded = Math.min(best.loaded, a.ns);
        best.empty = Math.min(best.empty, b.ns);
        best.hits += a.hits;
      }
      return Response.json(best);
    }
    return new Response("not found", { status: 404 });
  },
};
`;

/** Runs the harness over `persist` (a wrangler dev --persist-to folder); the edge's figures. */
export async function edgeInWorkerd(persist, kvNamespaceId, lookupsPerRound = 2_000_000) {
  const dir = mkdtempSync(join(tmpdir(), "palisade-bench-scale-edge-"));
  const port = await freePort();
  let mf;
  try {
    const src = join(dir, "entry.mjs");
    const out = join(dir, "worker.mjs");
    writeFileSync(src, ENTRY);
    await build({
      entryPoints: [src],
      outfile: out,
      bundle: true,
      format: "esm",
      logLevel: "warning",
    });
    mf = new Miniflare({
      modules: [{ type: "ESModule", path: out, contents: readFileSync(out, "utf8") }],
      modulesRoot: dir,
      compatibilityDate: "2026-04-26",
      kvNamespaces: { BLOCKLIST: kvNamespaceId },
      kvPersist: join(persist, "v3", "kv"),
      inspectorPort: port,
    });
    const url = await mf.ready;
    const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
    const target = targets.find((t) => t.webSocketDebuggerUrl.endsWith("core:user:"));
    const insp = await inspect(target.webSocketDebuggerUrl);
    const before = await insp.heap();
    const stop = insp.sample();
    const load = await (await mf.dispatchFetch(`${url}load`)).json();
    const peak = await stop();
    const held = await insp.heap();
    const decode = await (await mf.dispatchFetch(`${url}decode`)).json();
    const lookup = await (await mf.dispatchFetch(`${url}lookup?n=${lookupsPerRound}`)).json();
    insp.close();
    return {
      coldReadMs: load.ms,
      entries: load.entries,
      partBytes: load.parts,
      decodeMs: decode.ms,
      lookupNs: lookup.loaded,
      emptyLookupNs: lookup.empty,
      hits: lookup.hits,
      heapBeforeMb: before,
      heapPeakMb: peak,
      heapHeldMb: held,
    };
  } finally {
    await mf?.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
