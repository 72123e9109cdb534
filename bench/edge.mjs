// `npm run bench:edge`: the edge's figures in one run, against local workerd.
//  1. clean-visitor requests/s through the deployed Worker with 100k active decisions,
//     edge detection on and off, vs a bare pass-through Worker (bench/edge-clean.mjs;
//     target ratios ≥ 0.9 on, ≥ 0.95 off), and a prober's last request to the edge's
//     first 403 with no shipper (target ≤ 2 s);
//  2. under `wrangler dev` (the real Worker: ingest, Durable Objects, KV, Queue): ingest
//     lines/s and Durable Object calls per 1,000 lines of a mostly benign nginx log
//     (../shared/peers/gen-nginx-log.py), then the time from sending the ingest request
//     that completes an attack to the edge's first 403 for that IP (target ≤ 1 s).
// Options: --lines N (20000), --batch N (1000), --skip-clean, --port N (8797: wrangler dev).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: {
    lines: { type: "string", default: "20000" },
    batch: { type: "string", default: "1000" },
    "skip-clean": { type: "boolean", default: false },
    port: { type: "string", default: "8797" },
  },
});
const LINES = Number(values.lines);
const BATCH = Number(values.batch);
const PORT = Number(values.port);
const base = `http://127.0.0.1:${PORT}`;
const TOKEN = "bench-machine-token";
const REFRESH_MS = 250;

if (!values["skip-clean"]) {
  const r = spawnSync(process.execPath, [`${root}bench/edge-clean.mjs`, "--json"], {
    encoding: "utf8",
  });
  const line = r.stdout.trim().split("\n").pop() ?? "{}";
  const o = JSON.parse(line);
  console.log(
    `clean visitors (${o.perVisitor} requests each), ${o.decisions} decisions loaded (snapshot ${o.snapshotBytes} bytes): edge detection on ${o.onRps} req/s, off ${o.offRps} req/s, bare pass-through ${o.bareRps} req/s; ratio on/bare ${o.ratioOn} (target ≥ 0.9), off/bare ${o.ratioOff} (target ≥ 0.95), on/off ${o.ratioOnOff} (median of ${o.rounds} rounds)`,
  );
  console.log(
    `edge detection, no shipper: a prober's last request (12 missing pages) → first 403 at the edge: median ${o.probeTo403Ms} ms, max ${o.probeTo403MaxMs} ms; ${o.probersStopped} of 5 probers stopped within 10 s (target ≤ 2 s)`,
  );
}

const dir = mkdtempSync(join(tmpdir(), "palisade-bench-edge-"));
const log = join(dir, "benign.log");
execFileSync(
  "python3",
  [
    `${root}../shared/peers/gen-nginx-log.py`,
    "--lines",
    String(LINES),
    "--hours",
    "0.5",
    "--seed",
    "3",
    "--out",
    log,
  ],
  { stdio: "ignore" },
);
const lines = readFileSync(log, "utf8").split("\n").filter(Boolean);

const dev = spawn(
  process.execPath,
  [
    `${root}node_modules/wrangler/bin/wrangler.js`,
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(PORT),
    "--persist-to",
    join(dir, "state"),
    "--var",
    "PALISADE_ENV:local",
    "--var",
    `PALISADE_MACHINE_TOKEN:${TOKEN}`,
    "--var",
    `BLOCKLIST_REFRESH_MS:${REFRESH_MS}`,
    "--var",
    "KV_FLUSH_MS:100",
    "--var",
    "ORIGIN_URL:http://127.0.0.1:9",
    // This part measures a shipper's path: with edge detection on, ingest would leave
    // the shipped access lines to the edge (src/ingest/edge-coverage.ts).
    "--var",
    "EDGE_DETECTION:off",
  ],
  { cwd: root, stdio: "ignore", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
);
const cleanup = () => {
  dev.kill("SIGINT");
  rmSync(dir, { recursive: true, force: true });
};
process.on("exit", cleanup);

async function up() {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${base}/_palisade/v1/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("wrangler dev did not start");
}

async function ingest(batchLines, id) {
  const res = await fetch(`${base}/_palisade/v1/ingest`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      batch_id: id,
      source: { type: "nginx", labels: {} },
      lines: batchLines,
    }),
  });
  if (!res.ok) throw new Error(`ingest ${res.status}: ${await res.text()}`);
  return res.json();
}

await up();
let rpc = 0;
let queued = 0;
let batches = 0;
const t0 = performance.now();
for (let i = 0; i < lines.length; i += BATCH) {
  const r = await ingest(lines.slice(i, i + BATCH), `bench-${i}`);
  rpc += r.sources ?? 0;
  queued += r.queued ?? 0;
  batches++;
}
const secs = (performance.now() - t0) / 1000;
console.log(
  `ingest: ${lines.length} lines in ${batches} batches of ${BATCH}: ${Math.round(lines.length / secs)} lines/s; Durable Object calls per 1,000 lines: ${((1000 * (rpc + 2 * batches)) / lines.length).toFixed(1)} (${rpc} source RPCs + ${2 * batches} Ledger calls; ${queued} events went through the queue)`,
);

// An attacker nobody has seen: one Log4Shell probe is a trigger → ban.
const attacker = "203.0.113.199";
const now = new Date();
const stamp = `${String(now.getUTCDate()).padStart(2, "0")}/${now.toLocaleString("en-US", { month: "short", timeZone: "UTC" })}/${now.getUTCFullYear()}:${now.toISOString().slice(11, 19)} +0000`;
const attack = `${attacker} - - [${stamp}] "GET /?q=\${jndi:ldap://x/a} HTTP/1.1" 404 1 "-" "curl"`;
const sent = performance.now();
await ingest([attack], `bench-attack-${Date.now()}`);
let status = 0;
while (performance.now() - sent < 10_000) {
  status = (await fetch(`${base}/`, { headers: { "CF-Connecting-IP": attacker } })).status;
  if (status === 403) break;
  await new Promise((r) => setTimeout(r, 10));
}
const ms = performance.now() - sent;
console.log(
  `attack → first 403: ${status === 403 ? `${Math.round(ms)} ms` : `no 403 within ${Math.round(ms)} ms (last status ${status})`} (BLOCKLIST_REFRESH_MS=${REFRESH_MS}; target ≤ 1 s)`,
);
cleanup();
process.exit(0);
