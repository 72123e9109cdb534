// `npm run bench:api`: the bouncer API's cost against the real Worker under `wrangler dev`
// (local workerd, Durable Objects in SQLite), with many active decisions.
//  1. two Workers side by side, each with its own state: "small" gets SMALL (1,000) active
//     decisions, "large" DECISIONS (100,000), loaded the way a CrowdSec agent would: a
//     watcher logs in (`bootstrap` + PALISADE_MACHINE_TOKEN) and POSTs /v1/alerts, each
//     alert carrying up to 10,000 decisions;
//  2. each Worker's `startup=true` stream for a new bouncer key: time to the last byte, bytes;
//  3. incremental polls with nothing new, alternating small / large (and a GET /health on
//     each, wrangler dev's own floor), so that both sizes see the same machine load: median
//     and p95 over --polls rounds. Target: independent of the number of decisions (ratio
//     large/small ≈ 1, the baseline for later runs), well under 10 ms.
// Options: --decisions N (100000), --small N (1000), --polls N (300), --port N (8798; +1 too).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: {
    decisions: { type: "string", default: "100000" },
    small: { type: "string", default: "1000" },
    polls: { type: "string", default: "300" },
    port: { type: "string", default: "8798" },
  },
});
const DECISIONS = Number(values.decisions);
const SMALL = Number(values.small);
const POLLS = Number(values.polls);
const PER_ALERT = 10_000;
const ADMIN = "bench-admin-token";
const MACHINE = "bench-machine-token";
const EMPTY = '{"new":null,"deleted":null}';

const dir = mkdtempSync(join(tmpdir(), "palisade-bench-api-"));
const secrets = join(dir, "secrets.env");
writeFileSync(secrets, `PALISADE_ADMIN_TOKEN=${ADMIN}\nPALISADE_MACHINE_TOKEN=${MACHINE}\n`);
const children = [];
let stopped = false;
function cleanup() {
  if (stopped) return;
  stopped = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, "SIGINT");
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
}
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

/** `wrangler dev` on `port` with its own state; resolves once /health answers. */
async function startWorker(name, port) {
  const child = spawn(
    process.execPath,
    [
      `${root}node_modules/wrangler/bin/wrangler.js`,
      "dev",
      ...["--ip", "127.0.0.1", "--port", String(port), "--inspector-port", "0"],
      ...["--persist-to", join(dir, name), "--env-file", secrets],
      "--show-interactive-dev-session=false",
      ...["--var", "ORIGIN_URL:http://127.0.0.1:9", "--log-level", "warn"],
    ],
    {
      cwd: root,
      detached: true,
      stdio: "ignore",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    },
  );
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${base}/_palisade/v1/health`)).ok) return { name, base };
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev (${name}) did not start`);
}

async function call(w, method, path, { body, headers = {} } = {}) {
  const res = await fetch(`${w.base}/_palisade/v1${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** Decision i's address: 11.0.0.0/8 (public, never in the built-in allowlist), one per i. */
const ipOf = (i) => `11.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;

function alertOf(start, end, now) {
  const decisions = [];
  for (let i = start; i < end; i++) {
    decisions.push({
      origin: "crowdsec",
      type: "ban",
      scope: "Ip",
      value: ipOf(i),
      duration: "4h",
      scenario: "bench/api-load",
    });
  }
  return {
    scenario: "bench/api-load",
    message: `bench load ${start}-${end}`,
    events_count: 1,
    start_at: now,
    stop_at: now,
    capacity: 0,
    leakspeed: "0s",
    simulated: false,
    remediation: true,
    events: [],
    source: { scope: "Ip", value: ipOf(start) },
    decisions,
  };
}

/** Loads `count` decisions as a watcher; returns the seconds it took. */
async function load(w, count) {
  const { token } = await call(w, "POST", "/watchers/login", {
    body: { machine_id: "bootstrap", password: MACHINE },
  });
  const t0 = performance.now();
  const now = new Date().toISOString();
  for (let start = 0; start < count; start += PER_ALERT) {
    const alert = alertOf(start, Math.min(count, start + PER_ALERT), now);
    await call(w, "POST", "/alerts", {
      headers: { authorization: `Bearer ${token}` },
      body: [alert],
    });
  }
  const { decisions } = await call(w, "GET", "/admin/decisions?limit=1", {
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  if (decisions.length !== 1) throw new Error(`${w.name}: no active decision after loading`);
  return (performance.now() - t0) / 1000;
}

/** A new bouncer key's startup pull (which also sets its cursor for the polls). */
async function startup(w) {
  const { api_key: key } = await call(w, "POST", "/admin/bouncers", {
    headers: { authorization: `Bearer ${ADMIN}` },
    body: { name: "bench" },
  });
  const t0 = performance.now();
  const res = await fetch(`${w.base}/_palisade/v1/decisions/stream?startup=true`, {
    headers: { "X-Api-Key": key },
  });
  let bytes = 0;
  for await (const chunk of res.body) bytes += chunk.byteLength;
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(`${w.name} startup stream: ${res.status}`);
  return { key, ms, bytes };
}

async function timed(url, headers, expect) {
  const t0 = performance.now();
  const text = await (await fetch(url, { headers })).text();
  const ms = performance.now() - t0;
  if (expect !== undefined && text !== expect)
    throw new Error(`poll found changes: ${text.slice(0, 200)}`);
  return ms;
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Alternating rounds: each Worker's empty poll, then each Worker's /health. */
async function pollRounds(sides) {
  const out = sides.map(() => ({ poll: [], floor: [] }));
  for (let round = -5; round < POLLS; round++) {
    for (const [i, s] of sides.entries()) {
      const ms = await timed(
        `${s.w.base}/_palisade/v1/decisions/stream`,
        { "X-Api-Key": s.key },
        EMPTY,
      );
      if (round >= 0) out[i].poll.push(ms);
    }
    for (const [i, s] of sides.entries()) {
      const ms = await timed(`${s.w.base}/_palisade/v1/health`, {});
      if (round >= 0) out[i].floor.push(ms);
    }
  }
  return out.map((o) => ({
    median: quantile(o.poll, 0.5),
    p95: quantile(o.poll, 0.95),
    floor: quantile(o.floor, 0.5),
  }));
}

const port = Number(values.port);
const [small, large] = await Promise.all([
  startWorker("small", port),
  startWorker("large", port + 1),
]);
const loadSmall = await load(small, SMALL);
const loadLarge = await load(large, DECISIONS);
console.log(
  `loaded through POST /v1/alerts (${PER_ALERT} decisions per alert): ${SMALL} in ${loadSmall.toFixed(1)} s, ${DECISIONS} in ${loadLarge.toFixed(1)} s (${Math.round(DECISIONS / loadLarge)} decisions/s)`,
);
const sides = [];
for (const [w, n] of [
  [small, SMALL],
  [large, DECISIONS],
]) {
  const s = await startup(w);
  sides.push({ w, n, key: s.key });
  console.log(
    `${w.name}: ${n} active decisions, startup=true stream ${Math.round(s.ms)} ms, ${(s.bytes / 1e6).toFixed(2)} MB (${s.bytes} bytes)`,
  );
}
const polls = await pollRounds(sides);
for (const [i, p] of polls.entries()) {
  console.log(
    `${sides[i].w.name}: ${sides[i].n} active decisions, incremental poll with nothing new (${EMPTY.length} bytes): median ${p.median.toFixed(2)} ms, p95 ${p.p95.toFixed(2)} ms over ${POLLS} polls; GET /health in the same rounds (wrangler dev's floor): median ${p.floor.toFixed(2)} ms`,
  );
}
console.log(
  `incremental poll median, ${DECISIONS} vs ${SMALL} decisions: ratio ${(polls[1].median / polls[0].median).toFixed(2)} (1.00 = independent of the number of decisions; target: well under 10 ms)`,
);
cleanup();
process.exit(0);
