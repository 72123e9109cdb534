#!/usr/bin/env node
// Shipper benchmark (`npm run bench:shipper`): ships a generated 1M-line nginx access log to
// a local ingest sink with the bundled shipper (shipper/dist/palisade-ship.mjs), in backfill
// mode (--once) and in follow mode (tailing, spool, offsets), and prints lines/s, the
// shipper's CPU seconds and peak RSS, a baseline measured in the same run (a bare Node
// read+split+JSON+gzip loop, and `cat FILE | gzip -1`), and the CPU used while idle-tailing.
//
//   node shipper/bench/bench.mjs [--lines N] [--file PATH] [--idle-seconds S]
//
// Targets (issue 3): >= 200k lines/s read+batch+gzip on one core, RSS < 80 MB whatever the
// file size, no measurable CPU while idle.
import { execFileSync, spawn } from "node:child_process";
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";

const root = fileURLToPath(new URL("../..", import.meta.url));
const bundle = join(root, "shipper/dist/palisade-ship.mjs");
const { values: opt } = parseArgs({
  options: {
    lines: { type: "string", default: "1000000" },
    file: { type: "string" },
    "idle-seconds": { type: "string", default: "5" },
  },
});
const N = Number(opt.lines);
const IDLE_S = Number(opt["idle-seconds"]);
const TOKEN = "bench-token";
const CLK_TCK = 100;

function ensureBundle() {
  const src = join(root, "shipper/src");
  const newest = Math.max(...readdirSync(src).map((f) => statSync(join(src, f)).mtimeMs));
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newest) {
    console.error("bench: building the shipper bundle (npm run build)...");
    execFileSync(process.execPath, [join(root, "scripts/build.mjs")], { stdio: "inherit" });
  }
}

// A deterministic nginx combined log: sessions of a few hundred IPs, common paths and agents.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(path, lines) {
  const r = rng(42);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const ips = Array.from(
    { length: 500 },
    () =>
      `${1 + Math.floor(r() * 222)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`,
  );
  const paths = [
    "/",
    "/index.html",
    "/blog/2025/04/post-3/",
    "/wp-login.php",
    "/api/v1/items?page=2",
    "/static/app.3f9a1c.js",
    "/static/style.css",
    "/images/logo.png",
    "/search?q=shoes",
    "/cart",
    "/.env",
    "/robots.txt",
  ];
  const agents = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
  ];
  const months = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  const fd = openSync(path, "w");
  let t = Date.UTC(2025, 10, 27, 8, 0, 0);
  let buf = [];
  for (let i = 0; i < lines; i++) {
    t += Math.floor(r() * 30);
    const d = new Date(t);
    const ts = `${String(d.getUTCDate()).padStart(2, "0")}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;
    const status = pick([200, 200, 200, 200, 304, 301, 404, 403, 500]);
    buf.push(
      `${pick(ips)} - - [${ts}] "${pick(["GET", "GET", "GET", "POST"])} ${pick(paths)} HTTP/1.1" ${status} ${Math.floor(r() * 50000)} "${pick(["-", "https://shop.example.org/", "https://www.google.com/"])}" "${pick(agents)}"\n`,
    );
    if (buf.length === 10000) {
      writeSync(fd, buf.join(""));
      buf = [];
    }
  }
  writeSync(fd, buf.join(""));
  closeSync(fd);
}

function logFile() {
  if (opt.file) return opt.file;
  const dir = join(tmpdir(), "palisade-ship-bench");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `access-${N}.log`);
  if (!existsSync(`${path}.done`)) {
    console.error(`bench: generating ${N} lines into ${path}...`);
    generate(path, N);
    writeFileSync(`${path}.done`, "");
  }
  return path;
}

function countLines(path) {
  // Streamed, so this process stays small (a spawned child starts as a copy of it).
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(1 << 20);
  let n = 0;
  for (let pos = 0, got = 1; got > 0; pos += got) {
    got = readSync(fd, buf, 0, buf.length, pos);
    for (let i = buf.indexOf(10); i >= 0 && i < got; i = buf.indexOf(10, i + 1)) n++;
  }
  closeSync(fd);
  return n;
}

// The ingest sink: the contract's shape, gunzips and parses every body, dedupes batch ids.
async function startSink() {
  const state = { lines: 0, batches: 0, seen: new Set(), waiters: [] };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return res.writeHead(401).end();
      const raw = Buffer.concat(chunks);
      const doc = JSON.parse(
        (req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString(),
      );
      const fresh = !state.seen.has(doc.batch_id);
      if (fresh) {
        state.seen.add(doc.batch_id);
        state.lines += doc.lines.length;
        state.batches++;
      }
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ accepted: fresh ? doc.lines.length : 0 }));
      for (const w of state.waiters.splice(0)) w();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  state.url = `http://127.0.0.1:${server.address().port}`;
  state.close = () => server.close();
  state.reached = (n) =>
    new Promise((resolve) => {
      const check = () => (state.lines >= n ? resolve() : state.waiters.push(check));
      check();
    });
  return state;
}

function procCpu(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const parts = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(parts[11]) + Number(parts[12])) / CLK_TCK;
}

function procStatus(pid, key) {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(
    readFileSync(`/proc/${pid}/status`, "utf8"),
  );
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

function childrenCpu() {
  const f = readFileSync("/proc/self/stat", "utf8");
  const parts = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(parts[13]) + Number(parts[14])) / CLK_TCK;
}

function runShipper(args) {
  const hook = fileURLToPath(new URL("usage-hook.mjs", import.meta.url));
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("PALISADE_SHIP_")) delete env[key];
  const child = spawn(process.execPath, ["--import", hook, bundle, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    env,
  });
  let err = "";
  child.stderr.on("data", (c) => {
    err += c;
  });
  const exited = new Promise((r) =>
    child.on("exit", () => r(JSON.parse(/BENCH (.*)/.exec(err)?.[1] ?? "{}"))),
  );
  return { child, exited, stderr: () => err };
}

function baselineNode(path) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(1 << 20);
  let lines = [];
  let pos = 0;
  let carry = Buffer.alloc(0);
  let n = 0;
  const cut = () => {
    gzipSync(
      Buffer.from(JSON.stringify({ batch_id: "x", source: { type: "nginx", labels: {} }, lines })),
      { level: 1 },
    );
    lines = [];
  };
  for (;;) {
    const got = readSync(fd, buf, 0, buf.length, pos);
    if (got === 0) break;
    pos += got;
    const chunk = carry.length
      ? Buffer.concat([carry, buf.subarray(0, got)])
      : buf.subarray(0, got);
    let s = 0;
    for (let e = chunk.indexOf(10); e >= 0; e = chunk.indexOf(10, s)) {
      lines.push(chunk.toString("utf8", s, e));
      s = e + 1;
      n++;
      if (lines.length === 2000) cut();
    }
    carry = Buffer.from(chunk.subarray(s));
  }
  if (lines.length) cut();
  closeSync(fd);
  const c = process.cpuUsage(c0);
  return { lines: n, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

function baselineShell(path) {
  const c0 = childrenCpu();
  const t0 = performance.now();
  execFileSync("sh", ["-c", `cat '${path}' | gzip -1 > /dev/null`]);
  return { wall: (performance.now() - t0) / 1000, cpu: childrenCpu() - c0 };
}

async function benchOnce(path, lines, dir) {
  const sink = await startSink();
  const t0 = performance.now();
  const run = runShipper(
    ["--once", path, "--type", "nginx", "--url", sink.url, "--token", TOKEN],
    dir,
  );
  const usage = await run.exited;
  const wall = (performance.now() - t0) / 1000;
  sink.close();
  if (sink.lines !== lines)
    throw new Error(`--once: sink counted ${sink.lines} of ${lines} lines\n${run.stderr()}`);
  return { wall, ...usage, batches: sink.batches };
}

async function benchFollow(path, lines, dir) {
  const sink = await startSink();
  const live = join(dir, "live.log");
  writeFileSync(live, "");
  const cfg = join(dir, "ship.yaml");
  writeFileSync(
    cfg,
    `url: ${sink.url}\ntoken: ${TOKEN}\nstate_dir: ${join(dir, "state")}\nstats_interval: 0\nsources:\n  - paths: [${path}, ${live}]\n    type: nginx\n    start_at: beginning\n`,
  );
  const t0 = performance.now();
  const run = runShipper(["--config", cfg]);
  await Promise.race([
    sink.reached(lines),
    run.exited.then(() => {
      throw new Error(`the shipper exited early:\n${run.stderr()}`);
    }),
  ]);
  const wall = (performance.now() - t0) / 1000;
  const cpuBusy = procCpu(run.child.pid);
  await new Promise((r) => setTimeout(r, 1500)); // let the last commits and stats writes settle
  const idle0 = procCpu(run.child.pid);
  const rssIdle = procStatus(run.child.pid, "VmRSS");
  await new Promise((r) => setTimeout(r, IDLE_S * 1000));
  const idleCpu = procCpu(run.child.pid) - idle0;
  // Light traffic: one line appended; how long until the sink has it.
  const t1 = performance.now();
  appendFileSync(
    live,
    '203.0.113.9 - - [27/Nov/2025:09:00:00 +0000] "GET /late HTTP/1.1" 200 1 "-" "curl/8.5.0"\n',
  );
  await sink.reached(lines + 1);
  const latency = (performance.now() - t1) / 1000;
  run.child.kill("SIGTERM");
  const usage = await run.exited;
  sink.close();
  return { wall, cpuBusy, idleCpu, rssIdle, latency, ...usage, batches: sink.batches };
}

const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;
const k = (x) => `${Math.round(x / 1000)}k`;

ensureBundle();
const path = logFile();
const lines = countLines(path);
const size = statSync(path).size;
const dir = mkdtempSync(join(tmpdir(), "palisade-ship-bench-run-"));
console.log(
  `palisade-ship benchmark: ${lines} lines, ${mb(size)} (${path}), node ${process.version}`,
);
const base = baselineNode(path);
const shell = baselineShell(path);
const once = await benchOnce(path, lines, dir);
mkdirSync(join(dir, "follow"));
const follow = await benchFollow(path, lines, join(dir, "follow"));
rmSync(dir, { recursive: true, force: true });

const rows = [
  ["baseline: node read+split+JSON+gzip -1 (one thread)", base.wall, base.cpu, undefined],
  ["baseline: cat FILE | gzip -1 > /dev/null", shell.wall, shell.cpu, undefined],
  [`shipper --once (backfill, ${once.batches} batches)`, once.wall, once.cpu, once.maxRSS],
  [
    `shipper follow mode (spool + offsets, ${follow.batches} batches)`,
    follow.wall,
    follow.cpu,
    follow.maxRSS,
  ],
];
console.log("");
console.log(
  `${"run".padEnd(58)} ${"wall s".padStart(7)} ${"lines/s".padStart(8)} ${"CPU s".padStart(6)} ${"lines/CPU-s".padStart(11)} ${"peak RSS".padStart(9)}`,
);
for (const [name, wall, cpu, rss] of rows)
  console.log(
    `${name.padEnd(58)} ${wall.toFixed(2).padStart(7)} ${k(lines / wall).padStart(8)} ${cpu.toFixed(2).padStart(6)} ${k(lines / cpu).padStart(11)} ${(rss === undefined ? "-" : mb(rss)).padStart(9)}`,
  );
console.log("");
console.log(
  `CPU ratio, shipper --once / node baseline: ${(once.cpu / base.cpu).toFixed(2)}x; follow / baseline: ${(follow.cpu / base.cpu).toFixed(2)}x`,
);
console.log(
  `idle tailing: ${(follow.idleCpu * 1000).toFixed(0)} ms CPU over ${IDLE_S} s (${((follow.idleCpu / IDLE_S) * 100).toFixed(2)}% of a core; /proc tick = 10 ms), RSS ${mb(follow.rssIdle)}`,
);
console.log(
  `light traffic: one appended line reached the sink after ${(follow.latency * 1000).toFixed(0)} ms (target: within 1 s)`,
);
const ok = (c) => (c ? "ok" : "MISSED");
console.log(
  `targets: >=200k lines per CPU-second (--once ${k(lines / once.cpu)}: ${ok(lines / once.cpu >= 200_000)}; follow ${k(lines / follow.cpu)}: ${ok(lines / follow.cpu >= 200_000)}), RSS < 80 MB (${ok(Math.max(once.maxRSS, follow.maxRSS) < 80 * 1048576)}), idle CPU ~0 (${ok(follow.idleCpu <= 0.02 * IDLE_S)}), flush < 1 s (${ok(follow.latency < 1)})`,
);
console.log(JSON.stringify({ lines, bytes: size, baseline: base, shell, once, follow }));
