#!/usr/bin/env node
// Restart stress (`npm run stress:shipper`): the bundled shipper (shipper/dist/palisade-ship.mjs)
// follows a log that a writer appends to without pause and rotates by rename every ~150 ms
// (the pattern matches the rotated names, so a file rotated while the shipper is down is
// still found), while every core is kept busy by spinning threads. Each round kills the shipper with
// SIGKILL and restarts it three times: twice while the files only grow (a "file changed
// since its offset was recorded" then is always wrong), and once after a copytruncate made
// while it was down (the lines it had not read yet must come from the copy). A loopback
// sink deduplicates batch ids as the Worker does. Prints, over all rounds, the warnings on
// files that only grew, lines lost and lines doubled; exits 1 unless all three are 0.
//
//   node shipper/bench/restart-stress.mjs [--rounds N] [--burners N] [--bundle PATH]
import { spawn } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createServer } from "node:http";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { gunzipSync } from "node:zlib";

const root = fileURLToPath(new URL("../..", import.meta.url));
const { values: opt } = parseArgs({
  options: {
    rounds: { type: "string", default: "20" },
    burners: { type: "string", default: String(availableParallelism()) },
    bundle: { type: "string", default: join(root, "shipper/dist/palisade-ship.mjs") },
  },
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rand = (lo, hi) => lo + Math.random() * (hi - lo);

/** The ingest contract, deduplicating batch ids; counts how often each line was counted. */
function startSink() {
  const seen = new Map();
  const batches = new Set();
  const server = createServer((req, res) => {
    const parts = [];
    req.on("data", (c) => parts.push(c));
    req.on("end", () => {
      let body = Buffer.concat(parts);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      const b = JSON.parse(body.toString("utf8"));
      if (!batches.has(b.batch_id)) {
        batches.add(b.batch_id);
        for (const l of b.lines) seen.set(l, (seen.get(l) ?? 0) + 1);
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ accepted: b.lines.length }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, seen, port: server.address().port })),
  );
}

/** Appends numbered lines in small bursts; rotates by rename; copytruncate on demand. */
class Writer {
  written = 0;
  renames = 0;
  rotating = true;
  constructor(path, tag) {
    this.path = path;
    this.tag = tag;
    this.fd = openSync(path, "a");
    this.lastRename = Date.now();
    this.timer = setInterval(() => this.burst(), 5);
  }
  burst() {
    let text = "";
    for (let i = 0; i < 40; i++)
      text += `192.0.2.${(this.written % 250) + 1} - - [27/Nov/2026:10:00:00 +0000] "GET /${this.tag}/${this.written++} HTTP/1.1" 200 10 "-" "stress"\n`;
    writeSync(this.fd, text);
    if (this.rotating && Date.now() - this.lastRename > 150) {
      closeSync(this.fd);
      renameSync(this.path, `${this.path}.${++this.renames}`);
      this.fd = openSync(this.path, "a");
      this.lastRename = Date.now();
    }
  }
  copytruncate() {
    copyFileSync(this.path, `${this.path}.ct`);
    truncateSync(this.path, 0);
  }
  stop() {
    clearInterval(this.timer);
    closeSync(this.fd);
  }
}

function startShipper(cfg, errPath) {
  const err = openSync(errPath, "a");
  const child = spawn(process.execPath, [opt.bundle, "--config", cfg], {
    stdio: ["ignore", "ignore", err],
  });
  closeSync(err);
  const exited = new Promise((r) => child.on("exit", r));
  return { child, exited };
}

async function waitFor(pred, ms) {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await sleep(20);
  return pred();
}

/** Whether offsets.json holds a position in the file now at `log`. */
function committed(dir, log) {
  try {
    const st = statSync(log, { bigint: true });
    const doc = JSON.parse(readFileSync(join(dir, "state", "offsets.json"), "utf8"));
    return doc.files[`${st.dev}:${st.ino}`]?.offset > 0;
  } catch {
    return false;
  }
}

async function round(n, sink) {
  const dir = mkdtempSync(join(tmpdir(), "palisade-restart-stress-"));
  const log = join(dir, "access.log");
  const cfg = join(dir, "ship.yaml");
  const errPath = join(dir, "ship.err");
  writeFileSync(
    cfg,
    `url: http://127.0.0.1:${sink.port}\ntoken: t\nstate_dir: ${join(dir, "state")}\nrotate_wait: 1s\nsources: [{paths: [${log}, '${log}.[0-9]*'], type: nginx, start_at: beginning}]\n`,
  );
  const w = new Writer(log, `r${n}`);
  let ship = startShipper(cfg, errPath);
  let growthOnlyLog = "";
  const started = () => readFileSync(errPath, "utf8").split(" info started ").length - 1;
  for (let k = 0; k < 3; k++) {
    await waitFor(() => started() > k, 20_000);
    // Before the copytruncate, the file it empties must have a committed position (else no
    // shipper could know its content was replaced): rotation pauses until the kill.
    if (k === 2) {
      w.rotating = false;
      await waitFor(() => committed(dir, log), 10_000);
    }
    await sleep(rand(50, 600));
    ship.child.kill("SIGKILL");
    await ship.exited;
    if (k === 2) {
      growthOnlyLog = readFileSync(errPath, "utf8");
      w.copytruncate();
      w.rotating = true;
    }
    ship = startShipper(cfg, errPath);
  }
  await sleep(rand(200, 500));
  w.stop();
  const tag = `/r${n}/`;
  const counted = () => [...sink.seen.keys()].filter((l) => l.includes(tag)).length;
  await waitFor(() => counted() >= w.written, 20_000);
  ship.child.kill("SIGTERM");
  await ship.exited;
  let lost = 0;
  let doubled = 0;
  for (let i = 0; i < w.written; i++) {
    const c = sink.seen.get(
      `192.0.2.${(i % 250) + 1} - - [27/Nov/2026:10:00:00 +0000] "GET /r${n}/${i} HTTP/1.1" 200 10 "-" "stress"`,
    );
    if (c === undefined) lost++;
    else if (c > 1) doubled++;
  }
  const spurious = growthOnlyLog.split("file changed since its offset").length - 1;
  if (spurious > 0 || lost > 0 || doubled > 0)
    console.error(
      `round ${n}: ${spurious} spurious warnings, lost ${lost}, doubled ${doubled} (${dir})`,
    );
  else rmSync(dir, { recursive: true, force: true });
  return { spurious, lost, doubled, written: w.written };
}

const burnerCode = "for (;;) {}";
const burners = Array.from(
  { length: Number(opt.burners) },
  () => new Worker(burnerCode, { eval: true }),
);
const sink = await startSink();
const total = { spurious: 0, lost: 0, doubled: 0, written: 0 };
const rounds = Number(opt.rounds);
const t0 = Date.now();
for (let n = 0; n < rounds; n++) {
  const r = await round(n, sink);
  for (const k of Object.keys(total)) total[k] += r[k];
}
for (const b of burners) await b.terminate();
sink.server.close();
console.log(
  `restart stress: ${rounds} rounds, ${rounds * 3} SIGKILL restarts (${rounds} after a copytruncate) under ${burners.length} busy threads, ${total.written} lines, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
);
console.log(
  `restart stress: "file changed" on files that only grew: ${total.spurious}, lost ${total.lost}, doubled ${total.doubled}`,
);
process.exit(total.spurious === 0 && total.lost === 0 && total.doubled === 0 ? 0 : 1);
