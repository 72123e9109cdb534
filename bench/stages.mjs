// `node bench/stages.mjs [LOG] [--runs N]`: where `palisade replay`'s time goes, per line.
// Streams the log the way the CLI does (1 MB chunks, each line decoded from its bytes)
// and stops after a stage, each in its own pass, the passes alternating over N runs
// (default 3, medians):
//   read    — reading and decoding lines only (the floor's part without its regex);
//   parse   — + the nginx parser (event built, http-logs enrichment, timestamp);
//   guards  — + the scenarios' guards (which scenarios each event can match);
//   detect  — + the whole engine (guards, filters, groupby, buckets, alerts).
// Scenarios as bench:core: /etc/crowdsec/scenarios with /var/lib/crowdsec/data when
// CrowdSec is installed, else the corpus hub's http scenarios.
import { parseArgs } from "node:util";
import { importBundled, root } from "./bundle.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: "string", default: "3" } },
});
const log = positionals[0] ?? "/tmp/palisade-bench/nginx-500000.log";

// The measured code is TypeScript from src/: bundle a small entry, then import it.
const entry = `
import { readLineBatches } from "${root}src/cli/lines";
import { BucketEngine } from "${root}src/core/bucket/index";
import { GuardIndex } from "${root}src/core/bucket/guard/index";
import { EvalCache } from "${root}src/core/expr/index";
import { parserFor } from "${root}src/core/parser/index";
import { benchScenarios } from "${root}bench/scenarios.mjs";

export const scenarios = () => benchScenarios(${JSON.stringify(root)}).scenarios;

export async function pass(stage, log, compiled) {
  const parser = parserFor("nginx");
  const origin = { src: log, module: "file", labels: { type: "nginx" } };
  const opts = { now: Date.now() };
  const engine = new BucketEngine(compiled);
  const guards = new GuardIndex(compiled);
  const cache = new EvalCache();
  const env = {};
  let lines = 0;
  const t0 = performance.now();
  for await (const batch of readLineBatches(log)) {
    for (const line of batch) {
      lines++;
      if (stage === "read") continue;
      const evt = parser.parse(line, origin, opts);
      if (evt === null || stage === "parse") continue;
      if (stage === "guards") {
        cache.next();
        env.evt = evt;
        guards.candidates(0, env, cache);
      } else engine.process(evt);
    }
  }
  return { lines, us: ((performance.now() - t0) * 1000) / lines };
}
`;

const m = await importBundled(entry);
const compiled = m.scenarios();
const stages = ["read", "parse", "guards", "detect"];
const times = Object.fromEntries(stages.map((s) => [s, []]));
let lines = 0;
for (let r = 0; r < Number(values.runs); r++) {
  for (const s of stages) {
    const p = await m.pass(s, log, compiled);
    lines = p.lines;
    times[s].push(p.us);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const med = Object.fromEntries(stages.map((s) => [s, median(times[s])]));
console.log(
  `where the time goes (${lines} lines, ${compiled.length} scenarios, one process, medians of ${values.runs}), µs/line:`,
);
console.log(
  `  read ${med.read.toFixed(2)} · parse +${(med.parse - med.read).toFixed(2)} · guards +${(med.guards - med.parse).toFixed(2)} · filters, groupby, buckets +${(med.detect - med.guards).toFixed(2)} · total ${med.detect.toFixed(2)}`,
);
