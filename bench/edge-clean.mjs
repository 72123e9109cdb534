// Edge throughput for clean visitors, against local workerd (Miniflare's API):
//   - "on": the Worker as deployed (src/worker.ts: enforcement, the origin, edge-native
//     detection pouring into its SourceTrackers, the ingest queue and its consumer),
//     with DECISIONS active decisions (default 100k) loaded from KV;
//   - "off": the same Worker with EDGE_DETECTION=off;
//   - "bare": a Worker that only passes the request to the same origin.
// A driver Worker sends the requests through service bindings (concurrency lanes), and
// both Workers send them on to the same origin Worker (Miniflare's outboundService), and
// visitors come from addresses none of the decisions matches, each visitor making
// --per-visitor requests (10; 1 is the worst case for detection: a Durable Object call
// per request). Every request a visitor makes is watched (http-flood counts them all),
// so detection costs one SourceTracker call per visitor per flush.
// Prints requests/s of each (median over rounds) and the ratios on/bare (target ≥ 0.9)
// and off/bare (target ≥ 0.95): medians of per-round ratios, each round running the
// Workers back to back.
// Options: --decisions N (100000), --requests N per round (3000), --rounds N (15),
// --concurrency N (32), --per-visitor N (10), --json (one JSON line, for bench:edge).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: {
    decisions: { type: "string", default: "100000" },
    requests: { type: "string", default: "3000" },
    rounds: { type: "string", default: "15" },
    concurrency: { type: "string", default: "32" },
    "per-visitor": { type: "string", default: "10" },
    json: { type: "boolean", default: false },
  },
});
const DECISIONS = Number(values.decisions);
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const PER_VISITOR = Number(values["per-visitor"]);
const TARGETS = ["on", "off", "bare"];
const COMPAT = "2026-04-26";

// The deployed entry, as wrangler builds it.
const PALISADE_ENTRY = `export * from "./src/worker"; export { default } from "./src/worker";`;
// The same proxying work as the Worker's origin step, and nothing else.
const BARE = `
export default {
  fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.ORIGIN_URL + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
    });
  },
};
`;
// Drives the load from inside workerd through service bindings, so the figure is the
// Workers' own cost rather than Node's HTTP client (which would swamp the difference).
const DRIVER = `
// A prober: n requests for distinct missing pages, then polls until the edge answers 403.
async function probe(target, ip, n) {
  const headers = { "CF-Connecting-IP": ip, "User-Agent": "Mozilla/5.0 (prober)" };
  for (let i = 0; i < n; i++) {
    const res = await target.fetch("https://site.example/missing/p" + i, { headers });
    await res.arrayBuffer();
  }
  const last = Date.now();
  for (;;) {
    const res = await target.fetch("https://site.example/", { headers });
    await res.arrayBuffer();
    if (res.status === 403) return { ms: Date.now() - last };
    if (Date.now() - last > 10000) return { ms: null, status: res.status };
    await new Promise((r) => setTimeout(r, 5));
  }
}
export default {
  async fetch(request, env) {
    const q = new URL(request.url).searchParams;
    if (new URL(request.url).pathname === "/probe") {
      return Response.json(await probe(env[q.get("target")], q.get("ip"), Number(q.get("n"))));
    }
    const target = env[q.get("target")];
    const n = Number(q.get("n"));
    const lanes = Number(q.get("c"));
    const per = Number(q.get("v"));
    const base = Number(q.get("b"));
    let next = 0;
    let failures = 0;
    const ip = (i) => { const v = (0x80000000 + ((i * 2654435761) >>> 1)) >>> 0; return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join("."); };
    async function lane() {
      while (next < n) {
        const i = next++;
        const res = await target.fetch("https://site.example/page/" + (i % 50) + "?q=" + i, {
          headers: { "CF-Connecting-IP": ip(base + Math.floor(i / per)), "User-Agent": "Mozilla/5.0 (bench)" },
        });
        if (res.status !== 200) failures++;
        await res.arrayBuffer();
      }
    }
    await Promise.all(Array.from({ length: lanes }, lane));
    return Response.json({ failures });
  },
};
`;
const ORIGIN = `export default { fetch: (request) => new URL(request.url).pathname.startsWith("/missing/") ? new Response("missing\\n", { status: 404 }) : new Response("origin ok\\n", { headers: { "Content-Type": "text/plain" } }) };`;

async function bundle(dir, contents, name) {
  const outfile = join(dir, `${name}.mjs`);
  await build({
    stdin: { contents, resolveDir: root, loader: "ts", sourcefile: `${name}.ts` },
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "import"],
    external: ["cloudflare:*"],
    outfile,
    logLevel: "warning",
  });
  return outfile;
}

let seedState = 0x2545f491;
function random32() {
  seedState = (seedState + 0x6d2b79f5) >>> 0;
  let t = seedState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}
const ipv4 = (v) => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;

/** Decisions on 11.0.0.0–126.255.255.255; visitors come from 128.0.0.0 up, so none match. */
function decisions(n) {
  const until = Date.now() + 4 * 3_600_000;
  const out = [];
  for (let i = 0; i < n; i++) {
    const v = 0x0b000000 + (random32() % 0x74000000);
    const range = i % 100 === 0;
    out.push({
      id: i + 1,
      type: i % 10 === 0 ? "captcha" : "ban",
      scope: range ? "Range" : "Ip",
      value: range ? `${ipv4(v & 0xffffff00)}/24` : ipv4(v),
      until,
    });
  }
  return out;
}

async function seedKv(mf, dir) {
  const core = await bundle(dir, 'export * from "./src/core/blocklist/index";', "blocklist");
  const { encodeSnapshot, KV_KEYS } = await import(core);
  const bytes = encodeSnapshot(decisions(DECISIONS));
  for (const worker of ["on", "off"]) {
    const kv = await mf.getKVNamespace("BLOCKLIST", worker);
    await kv.put(KV_KEYS.base(1), bytes);
    const manifest = { v: 1, epoch: 1, base: KV_KEYS.base(1), deltas: [], updated: Date.now() };
    await kv.put(KV_KEYS.manifest, JSON.stringify(manifest));
  }
  return bytes.byteLength;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Each round's visitors are new (their trackers are new Durable Objects, as on a live site).
let visitorBase = 0;
async function round(target, n) {
  const started = performance.now();
  const res = await mf.dispatchFetch(
    `http://driver.bench/run?target=${target}&n=${n}&c=${CONCURRENCY}&v=${PER_VISITOR}&b=${visitorBase}`,
  );
  visitorBase += Math.ceil(n / PER_VISITOR);
  const { failures } = await res.json();
  if (failures > 0) throw new Error(`${failures} of ${n} requests did not reach the origin`);
  return n / ((performance.now() - started) / 1000);
}

/** The deployed Worker with its Durable Objects, KV and ingest queue (producer and consumer). */
async function palisadeWorker(name, detection, dir) {
  return {
    name,
    modules: true,
    scriptPath: await bundle(dir, PALISADE_ENTRY, `palisade-${name}`),
    modulesRoot: dir,
    compatibilityDate: COMPAT,
    kvNamespaces: ["BLOCKLIST"],
    durableObjects: {
      SOURCES: { className: "SourceTracker", useSQLite: true },
      LEDGER: { className: "Ledger", useSQLite: true },
    },
    queueProducers: { INGEST_QUEUE: `ingest-${name}` },
    queueConsumers: { [`ingest-${name}`]: { maxBatchSize: 4, maxBatchTimeout: 1 } },
    bindings: {
      ORIGIN_URL: "http://origin.local",
      FAIL_MODE: "closed",
      PALISADE_ENV: "local",
      EDGE_DETECTION: detection,
    },
    outboundService: "origin",
  };
}

const dir = mkdtempSync(join(tmpdir(), "palisade-edge-bench-"));
const mf = new Miniflare({
  workers: [
    {
      name: "driver",
      modules: true,
      script: DRIVER,
      compatibilityDate: COMPAT,
      routes: ["driver.bench/*"],
      serviceBindings: { on: "on", off: "off", bare: "bare" },
    },
    await palisadeWorker("on", "on", dir),
    await palisadeWorker("off", "off", dir),
    {
      name: "bare",
      modules: true,
      scriptPath: await bundle(dir, BARE, "bare"),
      modulesRoot: dir,
      compatibilityDate: COMPAT,
      bindings: { ORIGIN_URL: "http://origin.local" },
      outboundService: "origin",
    },
    { name: "origin", modules: true, script: ORIGIN, compatibilityDate: COMPAT },
  ],
});
try {
  const snapshotBytes = await seedKv(mf, dir);
  // Warm-up: loads the blocklist (FAIL_MODE=closed, so a failed load would fail the run).
  for (const name of TARGETS) await round(name, 500);
  // Each round measures all three back to back (order rotating): the figures of a round
  // share the machine's load, so the median of the per-round ratios is robust to noise.
  const rps = { on: [], off: [], bare: [] };
  const ratios = { on: [], off: [], onOff: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < TARGETS.length; k++) {
      const name = TARGETS[(r + k) % TARGETS.length];
      rps[name].push(await round(name, REQUESTS));
    }
    ratios.on.push(rps.on[r] / rps.bare[r]);
    ratios.off.push(rps.off[r] / rps.bare[r]);
    ratios.onOff.push(rps.on[r] / rps.off[r]);
  }
  // The prober: 12 distinct missing pages (http-probing overflows on the 11th), then the
  // time from the last probe's answer to the edge's first 403, five probers in turn.
  const probes = [];
  for (let p = 0; p < 5; p++) {
    const res = await mf.dispatchFetch(
      `http://driver.bench/probe?target=on&ip=203.0.113.${p + 1}&n=12`,
    );
    probes.push((await res.json()).ms);
  }
  const stopped = probes.filter((ms) => ms !== null);
  const result = {
    decisions: DECISIONS,
    snapshotBytes,
    requestsPerRound: REQUESTS,
    concurrency: CONCURRENCY,
    perVisitor: PER_VISITOR,
    rounds: ROUNDS,
    onRps: Math.round(median(rps.on)),
    offRps: Math.round(median(rps.off)),
    bareRps: Math.round(median(rps.bare)),
    ratioOn: Number(median(ratios.on).toFixed(3)),
    ratioOff: Number(median(ratios.off).toFixed(3)),
    ratioOnOff: Number(median(ratios.onOff).toFixed(3)),
    probersStopped: stopped.length,
    probeTo403Ms: stopped.length > 0 ? median(stopped) : null,
    probeTo403MaxMs: stopped.length > 0 ? Math.max(...stopped) : null,
  };
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(
      `edge, clean visitors (${PER_VISITOR} requests each), ${DECISIONS} active decisions (snapshot ${(snapshotBytes / 1e6).toFixed(2)} MB):`,
    );
    console.log(`  detection on:      ${result.onRps} req/s`);
    console.log(`  detection off:     ${result.offRps} req/s`);
    console.log(`  bare pass-through: ${result.bareRps} req/s`);
    console.log(
      `  ratio on/bare ${result.ratioOn} (target >= 0.9), off/bare ${result.ratioOff} (target >= 0.95), on/off ${result.ratioOnOff}; median of ${ROUNDS} rounds`,
    );
    console.log(
      `  prober's last request -> first 403: median ${result.probeTo403Ms} ms, max ${result.probeTo403MaxMs} ms; ${stopped.length} of 5 probers stopped within 10 s (target <= 2000 ms)`,
    );
  }
} finally {
  await mf.dispose();
  rmSync(dir, { recursive: true, force: true });
}
