#!/usr/bin/env node
// Forms recognised per daemon on the annotated sample logs
// (test/fixtures/parser/annotated/*.log, format in test/core/parser/annotated-support.ts),
// measured through `palisade parse` of one or more builds, side by side:
//
//   node bench/recognition.mjs [--cli dist/cli/palisade.mjs] [--baseline OTHER.mjs] [--forms]
//
// A form is recognised when its line is an event with the annotated source and time; a
// "none" line is right when it yields no event with a source. "wrong" counts events
// whose source differs from the annotation (must be 0). To measure the build before a
// change: git archive <rev> | tar -x -C DIR, link node_modules, node scripts/build.mjs,
// then pass DIR/dist/cli/palisade.mjs as --baseline.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIR = join(ROOT, "test/fixtures/parser/annotated");

function args() {
  const out = { cli: join(ROOT, "dist/cli/palisade.mjs"), baseline: undefined, forms: false };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === "--cli") out.cli = a[++i];
    else if (a[i] === "--baseline") out.baseline = a[++i];
    else if (a[i] === "--forms") out.forms = true;
    else throw new Error(`unknown argument ${a[i]}; usage: --cli FILE --baseline FILE --forms`);
  }
  return out;
}

function fields(text) {
  const out = {};
  for (const m of text.matchAll(/(\w+)=(\S+)/g)) out[m[1]] = m[2];
  return out;
}

function readLog(name) {
  const raw = readFileSync(join(DIR, name), "utf8").split("\n");
  const head = fields(raw[0].replace(/^# palisade:/, ""));
  const lines = [];
  let pending;
  for (const line of raw) {
    if (line.startsWith("# expect:")) pending = fields(line.slice(9));
    else if (line.startsWith("#") || line.trim() === "") continue;
    else {
      lines.push({ line, expect: pending });
      pending = undefined;
    }
  }
  return { name, type: head.type, year: head.year, lines };
}

function parseWith(cli, log) {
  const argv = [cli, "parse", "--type", log.type, ...(log.year ? ["--year", log.year] : []), "-"];
  const r = spawnSync(process.execPath, argv, {
    input: `${log.lines.map((l) => l.line).join("\n")}\n`,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`${cli} parse failed: ${r.stderr}`);
  return r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

function score(log, out) {
  const s = { forms: 0, recognised: 0, none: 0, noneRight: 0, wrong: 0, got: new Set() };
  log.lines.forEach((l, i) => {
    const x = l.expect;
    if (!x) return;
    const o = out[i];
    const src = o?.ok ? o.meta.source_ip : undefined;
    if (x.none !== undefined) {
      s.none++;
      if (src === undefined) s.noneRight++;
      else s.wrong++;
      return;
    }
    s.forms++;
    if (src !== undefined && src !== x.source) s.wrong++;
    const time = o?.time ? o.time.replace(".000Z", "Z") : undefined;
    if (src === x.source && time === x.time) {
      s.recognised++;
      s.got.add(x.form);
    }
  });
  return s;
}

const DAEMON = {
  "sshd.log": "sshd",
  "apache-error.log": "Apache error log",
  "nginx-error.log": "nginx error log",
  "postfix.log": "Postfix",
  "dovecot.log": "Dovecot",
  "web-syslog.log": "web logs via syslog",
};

function main() {
  const opts = args();
  const builds = opts.baseline ? [opts.baseline, opts.cli] : [opts.cli];
  const names = readdirSync(DIR)
    .filter((f) => f.endsWith(".log"))
    .sort();
  const rows = [];
  for (const name of names) {
    const log = readLog(name);
    const scores = builds.map((b) => score(log, parseWith(b, log)));
    rows.push({ name, log, scores });
  }
  const head = opts.baseline ? "baseline → this build" : "this build";
  console.log(`forms recognised with the annotated source and time (${head})`);
  for (const { name, scores } of rows) {
    const cell = (s) =>
      `${s.recognised}/${s.forms} forms, ${s.noneRight}/${s.none} no-event, ${s.wrong} wrong`;
    console.log(`  ${(DAEMON[name] ?? name).padEnd(20)} ${scores.map(cell).join("  →  ")}`);
  }
  if (opts.forms && opts.baseline) {
    for (const { name, log, scores } of rows) {
      const [before, after] = scores;
      const gained = log.lines.filter(
        (l) => l.expect?.source && after.got.has(l.expect.form) && !before.got.has(l.expect.form),
      );
      const lost = log.lines.filter(
        (l) => l.expect?.source && before.got.has(l.expect.form) && !after.got.has(l.expect.form),
      );
      console.log(`\n${DAEMON[name] ?? name}: +${gained.length} -${lost.length}`);
      for (const l of gained) console.log(`  + ${l.expect.form}`);
      for (const l of lost) console.log(`  - ${l.expect.form}`);
    }
  }
  const wrong = rows.reduce((n, r) => n + r.scores[r.scores.length - 1].wrong, 0);
  if (wrong > 0) {
    console.error(`recognition: ${wrong} wrong source(s) in this build`);
    process.exitCode = 1;
  }
}

main();
