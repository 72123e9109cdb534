// `node bench/filters.mjs [LOG] [--runs N]`: detection cost on already-parsed events.
// Parses an nginx log once, then times
//   - the whole engine (guards, filters, groupby, buckets) over every event: events/s;
//   - each scenario's filter run alone over every event, without the engine's guards and
//     per-event cache (what a caller of CompiledExpr.run pays): µs/event per scenario.
// Scenarios: /etc/crowdsec/scenarios with /var/lib/crowdsec/data when present (CrowdSec
// 1.4.6), else the corpus hub's http scenarios. LOG defaults to the bench:core log.
import { parseArgs } from "node:util";
import { importBundled, root } from "./bundle.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: "string", default: "5" } },
});
const log = positionals[0] ?? "/tmp/palisade-bench/nginx-500000.log";

// The measured code is TypeScript from src/core: bundle a small entry, then import it.
const entry = `
import { readFileSync } from "node:fs";
import { BucketEngine } from "${root}src/core/bucket/index";
import { parserFor } from "${root}src/core/parser/index";
import { benchScenarios } from "${root}bench/scenarios.mjs";

export function setup(log) {
  const { scenarios, scenDir } = benchScenarios(${JSON.stringify(root)});
  const parser = parserFor("nginx");
  const origin = { src: log, module: "file", labels: { type: "nginx" } };
  const events = readFileSync(log, "utf8").split("\\n").filter((l) => l !== "").map((l) => parser.parse(l, origin, { now: Date.now() })).filter((e) => e !== null);
  return { scenarios, events, scenDir };
}

export function engineRun(scenarios, events) {
  const engine = new BucketEngine(scenarios);
  let alerts = 0;
  for (const e of events) alerts += engine.process(e).length;
  return alerts;
}

export function filterRun(scenario, events) {
  const env = {};
  let hits = 0;
  for (const e of events) {
    env.evt = e;
    try { if (scenario.filter.run(env) === true) hits++; } catch {}
  }
  return hits;
}
`;

const m = await importBundled(entry);
const { scenarios, events, scenDir } = m.setup(log);
const runs = Number(values.runs);
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
let best = Number.POSITIVE_INFINITY;
let alerts = 0;
for (let r = 0; r < runs; r++) {
  const t0 = cpu();
  alerts = m.engineRun(scenarios, events);
  best = Math.min(best, cpu() - t0);
}
console.log(
  `filters bench — ${events.length} parsed events (${log}), ${scenarios.length} scenarios from ${scenDir}`,
);
console.log(
  `engine (guards + filters + buckets): ${Math.round(events.length / (best / 1000))} events/s (best of ${runs}), ${alerts} alerts`,
);
const rows = scenarios.map((s) => {
  const t0 = cpu();
  const hits = m.filterRun(s, events);
  return { name: s.name, us: ((cpu() - t0) * 1000) / events.length, hits };
});
const total = rows.reduce((a, r) => a + r.us, 0);
console.log(
  `filters alone (no guards, no cache): ${Math.round(1e6 / total)} events/s through all ${rows.length} filters`,
);
for (const r of rows.sort((a, b) => b.us - a.us).slice(0, 10)) {
  console.log(
    `  ${r.us.toFixed(3).padStart(7)} µs/event ${String(r.hits).padStart(7)} hits  ${r.name}`,
  );
}
