// `npm run bench:scale`: a million active decisions through the real path, within the
// platform's limits. For each size (--sizes, default 100,000 then 1,000,000):
//  1. `wrangler dev` (the real Worker, Ledger Durable Object in SQLite, KV) with its own
//     state; a watcher machine loads N decisions through POST /v1/alerts, 2,000 per
//     alert (a mix of IPv4 and IPv6 addresses and ranges: --mix), after N/10 (at most
//     10,000) that expire a minute later, ended by the Ledger's alarm during the load;
//  2. the Ledger compacts (POST /admin/blocklist/compact: the streaming compaction into
//     a base split over KV keys) while the inspector samples the isolate's heap (V8 heap
//     in use plus ArrayBuffers, after a full collection first: local workerd has no heap
//     limit, so garbage of the load would otherwise linger; the Ledger shares the isolate
//     with the Worker under wrangler dev, so the figure is an upper bound for the Durable
//     Object); then a bouncer's startup stream (gzip, as Go's HTTP client asks), and
//     deleting a /18 of decisions;
//  3. `wrangler dev` again on the same state: a cold isolate's first visitor (it loads
//     the blocklist from KV) and the isolate's heap while it does;
//  4. the edge's reader in workerd on the same KV (bench/scale-edge.mjs): decode time and
//     clean-visitor lookup time against an empty list.
// Prints a table and, last, one JSON line per size (the largest last) with `ok`: every
// figure within the platform's limits (isolate memory under 96 MB, i.e. 128 MB with 25 %
// headroom, during the compaction, the startup stream and the edge's load; every KV value
// under 25 MiB; a compaction within a day's KV write budget).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createGunzip } from "node:zlib";
import { edgeInWorkerd } from "./scale-edge.mjs";
import {
  ADMIN,
  adminHeaders,
  call,
  inspectWorker,
  MACHINE,
  MB,
  median,
  startOrigin,
  startWorker,
} from "./scale-support.mjs";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "100000,1000000" },
    mix: { type: "string", default: "mixed" },
    /** A file for wrangler dev's own output (its logs), appended to. */
    log: { type: "string" },
  },
});
const SIZES = values.sizes.split(",").map(Number);
// A CrowdSec agent's alert carries a few decisions; a community import, thousands. 2,000
// keeps each request's transient memory modest (the Worker and the Ledger share one
// isolate under wrangler dev, and 10,000 per request got it restarted mid-load).
const PER_ALERT = 2_000;
const KV_NAMESPACE = "00000000000000000000000000000000";
const LIMIT_MB = 128;
const HEADROOM_MB = LIMIT_MB * 0.75;
const KV_VALUE_MAX = 25 * MB;
const BUDGET = 1_000;

/**
 * Decision i of the mix, all distinct: IPv4 addresses in 11.0.0.0/8; IPv6 addresses each
 * in its own /64 of 2001:db8::/32 (Palisade decides IPv6 on the /64); IPv4 /24s from
 * 12.0.0.0/8 on; IPv6 /64 ranges in 2001:db9::/32. `mixed`: 60 % / 30 % / 7 % / 3 %.
 */
function decisionOf(i) {
  const kind =
    values.mix === "mixed"
      ? ["ip4", "ip4", "ip4", "ip4", "ip4", "ip4", "ip6", "ip6", "ip6", i % 30 === 9 ? "r6" : "r4"][
          i % 10
        ]
      : { ipv4: "ip4", ipv6: "ip6", range4: "r4", range6: "r6" }[values.mix];
  const h = (n) => n.toString(16);
  switch (kind) {
    case "ip4":
      return { scope: "Ip", value: `11.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}` };
    case "ip6":
      return { scope: "Ip", value: `2001:db8:${h(i >>> 16)}:${h(i & 0xffff)}::1` };
    case "r4":
      return {
        scope: "Range",
        value: `${12 + ((i >>> 16) & 15)}.${(i >>> 8) & 255}.${i & 255}.0/24`,
      };
    default:
      return { scope: "Range", value: `2001:db9:${h(i & 0xffff)}:${h(i >>> 16)}::/64` };
  }
}

function alertOf(start, end, now) {
  const decisions = [];
  for (let i = start; i < end; i++) {
    decisions.push({
      origin: "crowdsec",
      type: "ban",
      duration: "24h",
      scenario: "bench/scale",
      ...decisionOf(i),
    });
  }
  return {
    scenario: "bench/scale",
    message: `bench load ${start}-${end}`,
    events_count: 1,
    ...{ start_at: now, stop_at: now, capacity: 0, leakspeed: "0s", simulated: false },
    remediation: true,
    events: [],
    source: { scope: "Ip", value: "192.0.2.1" },
    decisions,
  };
}

/** Decisions that expire during the load (the Ledger's alarm ends them in batches). */
const SHORT_S = 60;

function shortAlert(from, to, now) {
  const a = alertOf(0, 0, now);
  for (let i = from; i < to; i++) {
    const value = `30.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
    a.decisions.push({
      origin: "crowdsec",
      type: "ban",
      duration: `${SHORT_S}s`,
      scenario: "bench/short",
      scope: "Ip",
      value,
    });
  }
  return a;
}

/**
 * Loads `n` decisions as a watcher, and first `short` that expire a minute later; polls
 * meanwhile for the moment the Ledger has ended every short one.
 */
async function load(w, n, short) {
  const { token: password } = await call(w.base, "POST", "/admin/machines", {
    headers: adminHeaders,
    body: { name: "bench-watcher" },
  });
  const { token } = await call(w.base, "POST", "/watchers/login", {
    body: { machine_id: "bench-watcher", password },
  });
  const auth = { authorization: `Bearer ${token}` };
  const t0 = performance.now();
  for (let from = 0; from < short; from += PER_ALERT) {
    await call(w.base, "POST", "/alerts", {
      headers: auth,
      body: [shortAlert(from, Math.min(short, from + PER_ALERT), new Date().toISOString())],
    });
  }
  const until = Date.now() + SHORT_S * 1000;
  let expiredAt = null;
  let polledAt = Date.now();
  // Between requests, never beside one: one request at a time into the isolate.
  const poll = async () => {
    polledAt = Date.now();
    // By address range: the live-IP index reads the short-lived ones only (30.0.0.0/8:
    // the mix uses 11/8 and, for ranges, 12/8 to 27/8).
    const q = "/admin/decisions?range=30.0.0.0/8&contains=false&limit=1";
    try {
      const live = await call(w.base, "GET", q, { headers: adminHeaders });
      if (live.decisions.length === 0) expiredAt = Date.now();
    } catch (err) {
      // A poll is only an observation: one the dev proxy drops is asked again later.
      console.error(`bench:scale: expiry poll failed (${String(err).slice(0, 100)}); again later`);
    }
  };
  const now = new Date().toISOString();
  for (let start = 0; start < n; start += PER_ALERT) {
    await postOnce(w, auth, alertOf(start, Math.min(n, start + PER_ALERT), now));
    if (expiredAt === null && Date.now() - polledAt >= 5000) await poll();
  }
  const loadS = (performance.now() - t0) / 1000;
  while (expiredAt === null && Date.now() < until + 600_000) {
    await new Promise((r) => setTimeout(r, 5000));
    await poll();
  }
  return { loadS, short, expiredAfterS: expiredAt === null ? null : (expiredAt - until) / 1000 };
}

/**
 * Posts one alert of the load. Under a loaded machine, wrangler dev's proxy sometimes
 * answers 503 "restarted mid-request" although the runtime kept running; the alert is
 * sent again unless its first decision shows it was stored (never twice).
 */
async function postOnce(w, auth, alert) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(w.base, "POST", "/alerts", { headers: auth, body: [alert] });
    } catch (err) {
      if (attempt >= 3 || !/: 503 /.test(String(err))) throw err;
      console.error(`bench:scale: ${String(err).slice(0, 120)}; checking, then again`);
      await new Promise((r) => setTimeout(r, 2000));
      const first = alert.decisions[0];
      const q = `/admin/decisions?${first.scope === "Ip" ? "ip" : "range"}=${encodeURIComponent(first.value)}&limit=1`;
      const seen = await call(w.base, "GET", q, { headers: adminHeaders });
      if (seen.decisions.length > 0) return seen;
    }
  }
}

/** A new bouncer's startup pull, gzip on the wire: ms to the last byte, bytes, decisions. */
async function startup(w) {
  const { api_key: key } = await call(w.base, "POST", "/admin/bouncers", {
    headers: adminHeaders,
    body: { name: "bench" },
  });
  const t0 = performance.now();
  // node:http, not fetch: fetch would inflate the body before it could be counted.
  const res = await new Promise((resolve, reject) => {
    const url = new URL(`${w.base}/_palisade/v1/decisions/stream?startup=true`);
    get(url, { headers: { "X-Api-Key": key, "Accept-Encoding": "gzip" } }, resolve).on(
      "error",
      reject,
    );
  });
  if (res.statusCode !== 200 || res.headers["content-encoding"] !== "gzip") {
    throw new Error(`startup stream: ${res.statusCode} ${res.headers["content-encoding"]}`);
  }
  const gunzip = createGunzip();
  let wire = 0;
  let plain = 0;
  let decisions = 0;
  let tail = "";
  const count = (text) => text.split('"scope":').length - 1;
  gunzip.on("data", (chunk) => {
    plain += chunk.length;
    const text = tail + chunk.toString("latin1");
    decisions += count(text) - count(text.slice(-8));
    tail = text.slice(-8);
  });
  res.on("data", (chunk) => {
    wire += chunk.length;
  });
  res.pipe(gunzip);
  await new Promise((resolve, reject) => {
    gunzip.on("end", resolve);
    gunzip.on("error", reject);
  });
  decisions += count(tail);
  return { ms: performance.now() - t0, wire, plain, decisions };
}

async function runSize(n, origin) {
  const dir = mkdtempSync(join(tmpdir(), "palisade-bench-scale-"));
  const secrets = join(dir, "secrets.env");
  writeFileSync(secrets, `PALISADE_ADMIN_TOKEN=${ADMIN}\nPALISADE_MACHINE_TOKEN=${MACHINE}\n`);
  const persist = join(dir, "state");
  // KV_FLUSH_MS at its maximum: the load is flushed once at its start, then compacted when
  // the bench says so (a bulk load otherwise compacts as often as the budget allows).
  const vars = { ORIGIN_URL: origin.url, KV_FLUSH_MS: "3600000" };
  const log = values.log;
  const f = { decisions: n };
  try {
    let w = await startWorker({ persist, secrets, vars, log });
    try {
      Object.assign(f, await load(w, n, Math.min(10_000, n / 10)));
      const insp = await inspectWorker(w);
      f.ledgerLiveMb = await insp.collect();
      let stop = insp.sample();
      const t0 = performance.now();
      const c = await call(w.base, "POST", "/admin/blocklist/compact", { headers: adminHeaders });
      f.compactionMs = performance.now() - t0;
      f.ledgerPeakMb = await stop();
      if (c.outcome !== "base")
        throw new Error(`compaction ${c.outcome}: ${JSON.stringify(c.blocklist)}`);
      f.status = c.blocklist;
      f.streamLiveMb = await insp.collect();
      stop = insp.sample();
      f.stream = await startup(w);
      f.streamPeakMb = await stop();
      const t1 = performance.now();
      const del = await call(
        w.base,
        "DELETE",
        "/admin/decisions?range=11.0.0.0/18&contains=false",
        {
          headers: adminHeaders,
        },
      );
      f.deleteMs = performance.now() - t1;
      f.deleted = del.deleted;
      insp.close();
    } finally {
      await w.stop();
    }
    // A cold isolate on the same state: its first visitor loads the blocklist.
    w = await startWorker({ persist, secrets, vars, log });
    try {
      const insp = await inspectWorker(w);
      f.edgeBaseMb = await insp.collect();
      const stop = insp.sample();
      const visit = (ip) => fetch(`${w.base}/`, { headers: { "CF-Connecting-IP": ip } });
      const t0 = performance.now();
      const first = await visit("198.18.0.1");
      f.edgeColdMs = performance.now() - t0;
      await first.text();
      const warm = [];
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        await (await visit(`198.18.1.${i}`)).text();
        warm.push(performance.now() - t);
      }
      f.edgeWarmMs = median(warm);
      f.bannedStatus = (await visit(decisionOf(n - 1).value.replace(/\/\d+$/, ""))).status;
      await new Promise((r) => setTimeout(r, 500));
      f.edgePeakMb = await stop();
      insp.close();
      if (first.status !== 200 || f.bannedStatus !== 403) {
        throw new Error(`edge: clean visitor ${first.status}, banned ${f.bannedStatus}`);
      }
    } finally {
      await w.stop();
    }
    f.workerd = await edgeInWorkerd(persist, KV_NAMESPACE);
    return f;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summary(f) {
  const s = f.status;
  const maxPart = Math.max(0, ...f.workerd.partBytes);
  const kvKeys = s.base_parts + 1;
  const ok =
    f.ledgerPeakMb < HEADROOM_MB &&
    f.streamPeakMb < HEADROOM_MB &&
    f.edgePeakMb < HEADROOM_MB &&
    f.workerd.heapPeakMb < HEADROOM_MB &&
    maxPart < KV_VALUE_MAX &&
    kvKeys <= BUDGET &&
    f.workerd.entries === f.decisions;
  return {
    decisions: f.decisions,
    compaction_ms: Math.round(f.compactionMs),
    ledger_peak_heap_mb: round1(f.ledgerPeakMb),
    kv_keys: kvKeys,
    kv_bytes: s.base_bytes,
    edge_cold_load_ms: Math.round(f.edgeColdMs),
    edge_heap_mb: round1(Math.max(f.edgePeakMb, f.workerd.heapPeakMb)),
    lookup_ns: Math.round(f.workerd.lookupNs),
    stream_startup_ms: Math.round(f.stream.ms),
    stream_startup_mb: round1(f.stream.wire / MB),
    ok,
  };
}

const round1 = (x) => Math.round(x * 10) / 10;

/** Table rows: a label, a cell per size, and what the last size's ratio to the first is of. */
const ROWS = [
  [
    "decisions loaded (POST /v1/alerts)",
    (f) => `${f.decisions} in ${f.loadS.toFixed(0)} s (${Math.round(f.decisions / f.loadS)}/s)`,
    (f) => f.loadS,
  ],
  [
    "  expiry (alarm, 1,000 a batch, during the load)",
    (f) =>
      `${f.short} ended ${f.expiredAfterS === null ? "(not within 10 min)" : `≤ ${Math.max(0, f.expiredAfterS).toFixed(0)} s`} after their end (polled every 5 s between requests)`,
  ],
  [
    "compaction (streamed, SQLite → parts → KV)",
    (f) => `${Math.round(f.compactionMs)} ms, ${f.status.last_compaction.rows} rows`,
    (f) => f.compactionMs,
  ],
  [
    "  isolate heap: live before → peak (MB)",
    (f) => `${round1(f.ledgerLiveMb)} → ${round1(f.ledgerPeakMb)}`,
    (f) => f.ledgerPeakMb,
  ],
  ["  encoder peak (MB)", (f) => `${round1(f.status.last_compaction.peak_bytes / MB)}`],
  [
    "  KV: base parts + manifest (writes)",
    (f) =>
      `${f.status.base_parts} + 1 = ${f.status.base_parts + 1} (${(((f.status.base_parts + 1) / BUDGET) * 100).toFixed(1)} % of ${BUDGET}/day)`,
  ],
  [
    "  KV: base bytes (largest part)",
    (f) =>
      `${f.status.base_bytes} (${round1(f.status.base_bytes / MB)} MB; ${round1(Math.max(0, ...f.workerd.partBytes) / MB)} MB)`,
    (f) => f.status.base_bytes,
  ],
  [
    "bouncer startup stream (gzip)",
    (f) =>
      `${Math.round(f.stream.ms)} ms, ${round1(f.stream.wire / MB)} MB on the wire, ${round1(f.stream.plain / MB)} MB JSON, ${f.stream.decisions} decisions`,
    (f) => f.stream.ms,
  ],
  [
    "  isolate heap: live before → peak (MB)",
    (f) => `${round1(f.streamLiveMb)} → ${round1(f.streamPeakMb)}`,
  ],
  [
    "delete a /18 (DELETE /admin/decisions)",
    (f) => `${f.deleted} in ${Math.round(f.deleteMs)} ms`,
    (f) => f.deleteMs,
  ],
  [
    "edge: cold isolate's first visitor",
    (f) => `${Math.round(f.edgeColdMs)} ms (warm: ${f.edgeWarmMs.toFixed(1)} ms)`,
    (f) => f.edgeColdMs,
  ],
  [
    "  isolate heap: live before → peak (MB)",
    (f) => `${round1(f.edgeBaseMb)} → ${round1(f.edgePeakMb)}`,
    (f) => f.edgePeakMb,
  ],
  [
    "edge reader in workerd: cold read",
    (f) => `${Math.round(f.workerd.coldReadMs)} ms, ${f.workerd.entries} entries`,
    (f) => f.workerd.coldReadMs,
  ],
  [
    "  decode alone (assembly, range chains)",
    (f) => `${f.workerd.decodeMs.toFixed(1)} ms`,
    (f) => f.workerd.decodeMs,
  ],
  [
    "  isolate heap: before → peak → held (MB)",
    (f) =>
      `${round1(f.workerd.heapBeforeMb)} → ${round1(f.workerd.heapPeakMb)} → ${round1(f.workerd.heapHeldMb)}`,
  ],
  [
    "  clean lookup (vs empty list)",
    (f) =>
      `${Math.round(f.workerd.lookupNs)} ns (${Math.round(f.workerd.emptyLookupNs)} ns: ratio ${(f.workerd.lookupNs / f.workerd.emptyLookupNs).toFixed(2)})`,
    (f) => f.workerd.lookupNs,
  ],
];

function printTable(rs) {
  const first = rs[0];
  const last = rs[rs.length - 1];
  const head = ["", ...rs.map((f) => `${f.decisions} (${values.mix})`)];
  if (rs.length > 1) head.push(`ratio ${last.decisions / first.decisions}× / 1×`);
  const lines = ROWS.map(([label, cell, of]) => {
    const out = [label, ...rs.map(cell)];
    if (rs.length > 1) out.push(of ? (of(last) / of(first)).toFixed(2) : "");
    return out;
  });
  const widths = head.map((_, c) => Math.max(...[head, ...lines].map((r) => String(r[c]).length)));
  const fmt = (r) =>
    r
      .map((x, c) => String(x).padEnd(widths[c]))
      .join("  ")
      .trimEnd();
  console.log(fmt(head));
  console.log(widths.map((w) => "─".repeat(w)).join("  "));
  for (const l of lines) console.log(fmt(l));
}

const origin = await startOrigin();
const results = [];
try {
  for (const n of SIZES) {
    process.stderr.write(`bench:scale: ${n} decisions (${values.mix})…\n`);
    results.push(await runSize(n, origin));
    process.stderr.write(`bench:scale: ${JSON.stringify(summary(results[results.length - 1]))}\n`);
  }
} finally {
  origin.close();
}
printTable(results);
for (const f of results) console.log(JSON.stringify(summary(f)));
