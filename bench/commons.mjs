// `npm run bench:commons`: the commons Worker (wrangler.commons.toml) under `wrangler dev`
// (local workerd, Durable Objects in SQLite, KV on disk), measured the way members use it:
//  1. the floor: GET / (the Worker with no Durable Object), median of --floor requests;
//  2. intake: --signals signals in batches of 50 (1.4.6's bulk size) from 20 enrolled
//     members, --concurrency at a time, each signal a random public address (so every
//     shard takes part): signals/s accepted, against the 1M-a-day target (11.6/s);
//  3. at 100k and then 1M listed (seeded through the bench-only route, COMMONS_BENCH_SEED=1,
//     then published until all are in the list): the time of the compaction that wrote
//     the base snapshot, then a publication of 1,000 new listings (time, delta bytes in
//     the core/blocklist format), a member's empty pull (median, and its ratio to the
//     floor), and a full startup pull (time to the last byte, bytes).
// Options: --signals N (10000), --concurrency N (8), --sizes 100000,1000000, --port N.
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values } = parseArgs({
  options: {
    signals: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "8" },
    sizes: { type: "string", default: "100000,1000000" },
    floor: { type: "string", default: "200" },
    port: { type: "string" },
  },
});
const ADMIN = "bench-commons-admin";
const SSH_BF = {
  scenario: "crowdsecurity/ssh-bf",
  scenario_version: "0.3",
  scenario_hash: "242f36684d66bbae3044e576b7cfffef62d5323465f3f74f87923167c6d93356",
};

const dir = mkdtempSync(join(tmpdir(), "palisade-bench-commons-"));
let child;
function cleanup() {
  if (child?.pid) {
    try {
      process.kill(-child.pid, "SIGINT");
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
}
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));
process.on("SIGTERM", () => process.exit(143));
process.on("uncaughtException", (e) => {
  writeFileSync("/tmp/bench-commons-wrangler.log", output);
  console.error(`${e.stack}\nwrangler dev output: /tmp/bench-commons-wrangler.log`);
  process.exit(1);
});

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const port = Number(values.port ?? (await freePort()));
const base = `http://127.0.0.1:${port}`;
writeFileSync(join(dir, "secrets.env"), `COMMONS_ADMIN_TOKEN=${ADMIN}\n`);
child = spawn(
  process.execPath,
  [
    `${root}node_modules/wrangler/bin/wrangler.js`,
    "dev",
    "-c",
    "wrangler.commons.toml",
    ...["--ip", "127.0.0.1", "--port", String(port), "--inspector-port", "0"],
    ...["--persist-to", join(dir, "state"), "--env-file", join(dir, "secrets.env")],
    "--show-interactive-dev-session=false",
    ...["--var", "COMMONS_BENCH_SEED:1", "--var", "COMMONS_PUBLISH_MS:3600000"],
  ],
  {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "1" },
  },
);
let output = "";
child.stdout.on("data", (d) => {
  output += d;
});
child.stderr.on("data", (d) => {
  output += d;
});
for (let i = 0; !/Ready on http/.test(output); i++) {
  if (i > 1200) throw new Error(`wrangler dev did not start:\n${output}`);
  await new Promise((r) => setTimeout(r, 100));
}

let retries = 0;

async function call(method, path, body, token) {
  // Local workerd runs the Worker and every object on one thread: under a seeding flood
  // on a loaded machine, wrangler's proxy may drop a request. The bench routes are
  // idempotent (seeding a key twice lists it once), so they are retried.
  for (let attempt = 0; ; attempt++) {
    try {
      return await callOnce(method, path, body, token);
    } catch (e) {
      if (!path.startsWith("/v1/admin/bench/") || attempt >= 5 || !/\b503\b/.test(String(e)))
        throw e;
      retries += 1;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

async function callOnce(method, path, body, token) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(600_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

async function member() {
  const machine_id = randomBytes(24).toString("hex");
  const password = randomBytes(32).toString("hex");
  await call("POST", "/v2/watchers", { machine_id, password });
  const { token } = await call("POST", "/v2/watchers/login", {
    machine_id,
    password,
    scenarios: [],
  });
  const { key } = await call("POST", "/v1/admin/enrollment-keys", {}, ADMIN);
  await call(
    "POST",
    "/v2/watchers/enroll",
    { attachment_key: key, name: "", tags: [], overwrite: false },
    token,
  );
  return token;
}

function publicIp(i, salt) {
  // Spread over 23.0.0.0 - 79.255.255.255 (public unicast, no safe-list ranges there that matter).
  const n = (i * 2654435761 + salt) >>> 0;
  return `${23 + (n % 57)}.${(n >>> 8) & 255}.${(n >>> 16) & 255}.${1 + ((n >>> 24) % 254)}`;
}

function signal(ip) {
  const now = Date.now();
  return {
    ...SSH_BF,
    scenario_trust: "certified",
    message: "",
    source: { scope: "Ip", value: ip, ip },
    start_at: new Date(now - 3000).toISOString(),
    stop_at: new Date(now).toISOString(),
    uuid: randomUUID(),
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)];

async function timed(fn) {
  const t = performance.now();
  const out = await fn();
  return [performance.now() - t, out];
}

async function floor(n) {
  const times = [];
  for (let i = 0; i < n; i++)
    times.push((await timed(() => fetch(`${base}/`).then((r) => r.text())))[0]);
  return median(times);
}

const floorMs = await floor(Number(values.floor));
console.log(`floor: GET / (no Durable Object) median ${floorMs.toFixed(2)} ms`);

const tokens = [];
for (let i = 0; i < 20; i++) tokens.push(await member());
const total = Number(values.signals);
const batches = Math.ceil(total / 50);
let next = 0;
const [intakeMs] = await timed(() =>
  Promise.all(
    Array.from({ length: Number(values.concurrency) }, async () => {
      for (let b = next++; b < batches; b = next++) {
        const batch = Array.from({ length: 50 }, (_, i) => signal(publicIp(b * 50 + i, 7)));
        await call("POST", "/v2/signals", batch, tokens[b % tokens.length]);
      }
    }),
  ),
);
const perSec = (batches * 50) / (intakeMs / 1000);
console.log(
  `intake: ${batches * 50} signals in ${(intakeMs / 1000).toFixed(1)} s = ${perSec.toFixed(0)} signals/s accepted (${(perSec / (1e6 / 86400)).toFixed(0)}x the 1M/day target of 11.6/s)`,
);

const reader = tokens[0];
await call("GET", "/v2/decisions/stream?startup=true", undefined, reader);
let listed = 0;
let seededTo = 0;
const results = [];
for (const size of values.sizes.split(",").map(Number)) {
  while (seededTo < size) {
    const n = Math.min(10_000, size - seededTo);
    const ips = Array.from({ length: n }, (_, i) => publicIp(seededTo + i, 99));
    await call("POST", "/v1/admin/bench/seed", { ips }, ADMIN);
    seededTo += n;
  }
  for (;;) {
    const r = await call("POST", "/v1/admin/bench/publish", undefined, ADMIN);
    listed = r.listed;
    if (r.adds + r.dels === 0) break;
  }
  console.log(`  ${listed} listed; publishing 1,000 more`);
  const status = await call("GET", "/v1/admin/status", undefined, ADMIN);
  const lastCompaction = {
    ms: status.base?.ms ?? 0,
    entries: status.base?.entries ?? 0,
    bytes: status.base?.bytes ?? 0,
  };
  await call("GET", "/v2/decisions/stream", undefined, reader);
  const fresh = Array.from({ length: 1000 }, (_, i) => publicIp(seededTo + i, 99));
  seededTo += 1000;
  await call("POST", "/v1/admin/bench/seed", { ips: fresh }, ADMIN);
  const pub = await call("POST", "/v1/admin/bench/publish", undefined, ADMIN);
  const [changedPullMs, changed] = await timed(() =>
    call("GET", "/v2/decisions/stream", undefined, reader),
  );
  console.log("  empty pulls");
  // Alternated with the floor, so that both see the same load of a shared machine.
  const empties = [];
  const floors = [];
  for (let i = 0; i < 100; i++) {
    floors.push((await timed(() => fetch(`${base}/`).then((r) => r.text())))[0]);
    empties.push((await timed(() => call("GET", "/v2/decisions/stream", undefined, reader)))[0]);
  }
  console.log("  a full pull");
  const [fullMs, fullBytes] = await timed(async () => {
    const res = await fetch(`${base}/v2/decisions/stream?startup=true`, {
      headers: { authorization: `Bearer ${reader}` },
    });
    return (await res.arrayBuffer()).byteLength;
  });
  const row = {
    listed: pub.listed,
    compactionMs: lastCompaction.ms,
    compactedEntries: lastCompaction.entries,
    baseBytes: lastCompaction.bytes,
    publish1kMs: pub.ms,
    deltaBytes: pub.bytes,
    changedPullMs,
    changedPullNew: changed.new.length,
    emptyPullMs: median(empties),
    emptyPullP95: p95(empties),
    floorMs: median(floors),
    fullPullMs: fullMs,
    fullPullBytes: fullBytes,
  };
  results.push(row);
  console.log(
    `${row.listed} listed: compaction ${row.compactionMs} ms (${row.compactedEntries} entries, base snapshot ${(row.baseBytes / 1e6).toFixed(1)} MB); publishing 1,000 new listings ${row.publish1kMs} ms, delta ${row.deltaBytes} bytes; the pull with them ${row.changedPullMs.toFixed(1)} ms (${row.changedPullNew} new); an empty pull median ${row.emptyPullMs.toFixed(2)} ms (p95 ${row.emptyPullP95.toFixed(2)}, ${(row.emptyPullMs / row.floorMs).toFixed(2)}x the floor of ${row.floorMs.toFixed(2)} ms alternated with it); a full startup pull ${(row.fullPullMs / 1000).toFixed(2)} s, ${(row.fullPullBytes / 1e6).toFixed(1)} MB`,
  );
}
if (results.length === 2) {
  const [a, b] = results;
  console.log(
    `scaling ${b.listed}/${a.listed} listed: empty pull ${(b.emptyPullMs / a.emptyPullMs).toFixed(2)}x, publishing 1,000 changes ${(b.publish1kMs / a.publish1kMs).toFixed(2)}x, compaction ${(b.compactionMs / a.compactionMs).toFixed(2)}x`,
  );
}
if (retries > 0)
  console.log(`(${retries} bench-route request(s) dropped by wrangler dev's proxy and retried)`);
process.exit(0);
