#!/usr/bin/env node
// Forms recognised per daemon on the annotated sample logs
// (test/fixtures/parser/annotated/*.log, format in test/core/parser/annotated-support.ts),
// measured through `palisade parse` of one or more builds, side by side:
//
//   node bench/recognition.mjs [--cli dist/cli/palisade.mjs] [--baseline OTHER.mjs] [--forms]
//                              [--fail2ban]
//
// A form is recognised when its line is an event with the annotated source and time; a
// "none" line is right when it yields no event with a source. "wrong" counts events
// whose source differs from the annotation (must be 0). To measure the build before a
// change: git archive <rev> | tar -x -C DIR, link node_modules, node scripts/build.mjs,
// then pass DIR/dist/cli/palisade.mjs as --baseline. --fail2ban adds fail2ban 1.0.2's
// stock filters (fail2ban-regex, aggressive modes, FAIL2BAN_FILTERS below) on the same
// files: a form counts when fail2ban reports a failure with its source at its second.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIR = join(ROOT, "test/fixtures/parser/annotated");

function args() {
  const out = {
    cli: join(ROOT, "dist/cli/palisade.mjs"),
    baseline: undefined,
    forms: false,
    fail2ban: false,
  };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === "--cli") out.cli = a[++i];
    else if (a[i] === "--baseline") out.baseline = a[++i];
    else if (a[i] === "--forms") out.forms = true;
    else if (a[i] === "--fail2ban") out.fail2ban = true;
    else
      throw new Error(
        `unknown argument ${a[i]}; usage: --cli FILE --baseline FILE --forms --fail2ban`,
      );
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

const FAIL2BAN_FILTERS = {
  "sshd.log": ["sshd[mode=aggressive]"],
  "apache-error.log": [
    "apache-auth[mode=aggressive]",
    "apache-noscript",
    "apache-overflows",
    "apache-nohome",
    "apache-botsearch",
    "apache-modsecurity",
    "apache-shellshock",
  ],
  "nginx-error.log": ["nginx-http-auth[mode=aggressive]", "nginx-limit-req", "nginx-botsearch"],
  "postfix.log": ["postfix[mode=aggressive]"],
  "dovecot.log": ["dovecot[mode=aggressive]"],
  "web-syslog.log": ["apache-auth[logging=syslog]", "nginx-http-auth", "nginx-limit-req"],
};

/** (source, second) pairs fail2ban-regex reports as failures with the file's filters. */
function fail2banHits(name) {
  const hits = new Set();
  for (const filter of FAIL2BAN_FILTERS[name] ?? []) {
    const r = spawnSync(
      "fail2ban-regex",
      ["-r", "--timezone=UTC", "-o", "row", join(DIR, name), filter],
      {
        encoding: "utf8",
        maxBuffer: 64 << 20,
      },
    );
    if (r.error) throw new Error(`fail2ban-regex: ${r.error.message} (apt-get install fail2ban)`);
    for (const m of r.stdout.matchAll(/^\['([^']+)',\s+([\d.]+),/gm)) {
      hits.add(`${m[1]} ${Math.floor(Number(m[2]))}`);
    }
  }
  return hits;
}

function fail2banScore(log) {
  const hits = fail2banHits(log.name);
  let forms = 0;
  let recognised = 0;
  for (const l of log.lines) {
    if (!l.expect?.source) continue;
    forms++;
    const s = Math.floor(Date.parse(l.expect.time) / 1000);
    const ip = l.expect.source.replace(/^::ffff:/, "");
    if (hits.has(`${ip} ${s}`)) recognised++;
  }
  return { forms, recognised };
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
  if (opts.fail2ban) {
    console.log("fail2ban 1.0.2's stock filters on the same files (aggressive modes)");
    for (const { name, log } of rows) {
      const f = fail2banScore(log);
      console.log(`  ${(DAEMON[name] ?? name).padEnd(20)} ${f.recognised}/${f.forms} forms`);
    }
  }
  const wrong = rows.reduce((n, r) => n + r.scores[r.scores.length - 1].wrong, 0);
  if (wrong > 0) {
    console.error(`recognition: ${wrong} wrong source(s) in this build`);
    process.exitCode = 1;
  }
}

main();
