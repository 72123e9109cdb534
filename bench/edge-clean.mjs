// Edge throughput for clean visitors, against local workerd (Miniflare's API):
//   - "palisade": the Worker's fetch (src/app.ts createWorker: enforcement, then
//     the origin) with DECISIONS active decisions (default 100k) loaded from KV;
//   - "bare": a Worker that only passes the request to the same origin.
// A driver Worker sends the requests through service bindings (concurrency lanes), and
// both Workers send them on to the same origin Worker (Miniflare's outboundService), and
// every request carries a different CF-Connecting-IP none of the decisions matches.
// Prints requests/s of each (median over rounds) and their ratio (target ≥ 0.95): the
// median of per-round ratios, each round running both Workers back to back.
// Options: --decisions N (100000), --requests N per round (3000), --rounds N (15),
// --concurrency N (32), --json (one JSON line, for bench:edge to combine).
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
    json: { type: "boolean", default: false },
  },
});
const DECISIONS = Number(values.decisions);
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const COMPAT = "2026-04-26";

const PALISADE_ENTRY = `
import { createWorker } from "./src/app";
const worker = createWorker();
export default { fetch: (request, env, ctx) => worker.fetch(request, env, ctx) };
`;
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
export default {
  async fetch(request, env) {
    const q = new URL(request.url).searchParams;
    const target = env[q.get("target")];
    const n = Number(q.get("n"));
    const lanes = Number(q.get("c"));
    let next = 0;
    let failures = 0;
    const ip = (i) => { const v = (0x80000000 + ((i * 2654435761) >>> 1)) >>> 0; return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join("."); };
    async function lane() {
      while (next < n) {
        const i = next++;
        const res = await target.fetch("https://site.example/page/" + (i % 50) + "?q=" + i, {
          headers: { "CF-Connecting-IP": ip(i) },
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
const ORIGIN = `export default { fetch: () => new Response("origin ok\\n", { headers: { "Content-Type": "text/plain" } }) };`;

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
  const kv = await mf.getKVNamespace("BLOCKLIST", "palisade");
  const bytes = encodeSnapshot(decisions(DECISIONS));
  await kv.put(KV_KEYS.base(1), bytes);
  const manifest = { v: 1, epoch: 1, base: KV_KEYS.base(1), deltas: [], updated: Date.now() };
  await kv.put(KV_KEYS.manifest, JSON.stringify(manifest));
  return bytes.byteLength;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function round(target, n) {
  const started = performance.now();
  const res = await mf.dispatchFetch(
    `http://driver.bench/run?target=${target}&n=${n}&c=${CONCURRENCY}`,
  );
  const { failures } = await res.json();
  if (failures > 0) throw new Error(`${failures} of ${n} requests did not reach the origin`);
  return n / ((performance.now() - started) / 1000);
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
      serviceBindings: { palisade: "palisade", bare: "bare" },
    },
    {
      name: "palisade",
      modules: true,
      scriptPath: await bundle(dir, PALISADE_ENTRY, "palisade"),
      modulesRoot: dir,
      compatibilityDate: COMPAT,
      kvNamespaces: ["BLOCKLIST"],
      bindings: { ORIGIN_URL: "http://origin.local", FAIL_MODE: "closed" },
      outboundService: "origin",
    },
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
  for (const name of ["palisade", "bare"]) await round(name, 500);
  // Each round measures both back to back (order alternating): the two figures of a round
  // share the machine's load, so the median of the per-round ratios is robust to noise.
  const rps = { palisade: [], bare: [] };
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of r % 2 === 0 ? ["palisade", "bare"] : ["bare", "palisade"]) {
      rps[name].push(await round(name, REQUESTS));
    }
    ratios.push(rps.palisade[r] / rps.bare[r]);
  }
  const ratio = median(ratios);
  const result = {
    decisions: DECISIONS,
    snapshotBytes,
    requestsPerRound: REQUESTS,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
    palisadeRps: Math.round(median(rps.palisade)),
    bareRps: Math.round(median(rps.bare)),
    ratio: Number(ratio.toFixed(3)),
  };
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(
      `edge, clean visitors, ${DECISIONS} active decisions (snapshot ${(snapshotBytes / 1e6).toFixed(2)} MB):`,
    );
    console.log(`  through palisade(): ${result.palisadeRps} req/s`);
    console.log(`  bare pass-through:  ${result.bareRps} req/s`);
    console.log(`  ratio: ${result.ratio} (median of ${ROUNDS} paired rounds; target >= 0.95)`);
  }
} finally {
  await mf.dispose();
  rmSync(dir, { recursive: true, force: true });
}
