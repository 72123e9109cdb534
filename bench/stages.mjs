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
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: "string", default: "3" } },
});
const log = positionals[0] ?? "/tmp/palisade-bench/nginx-500000.log";

// The measured code is TypeScript from src/: bundle a small entry, then import it.
const entry = `
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { readLineBatches } from "${root}src/cli/lines";
import { BucketEngine } from "${root}src/core/bucket/index";
import { GuardIndex } from "${root}src/core/bucket/guard-index";
import { dataStoreFrom } from "${root}src/core/data";
import { EvalCache } from "${root}src/core/expr/index";
import { parserFor } from "${root}src/core/parser/index";
import { loadScenarios } from "${root}src/core/scenario/index";

function dir(path) {
  return readdirSync(path).flatMap((n) => {
    const p = join(path, n);
    return statSync(p).isDirectory() ? dir(p) : /\\.ya?ml$/.test(n) ? [p] : [];
  });
}

export function scenarios() {
  const installed = existsSync("/etc/crowdsec/scenarios");
  const scenDir = installed ? "/etc/crowdsec/scenarios" : "${root}../shared/corpus/crowdsec-hub-rules/scenarios/crowdsecurity";
  const dataDir = installed ? "/var/lib/crowdsec/data" : "${root}../shared/corpus/crowdsec-data";
  const data = { lines: (n) => existsSync(join(dataDir, n)) ? dataStoreFrom({ [n]: readFileSync(join(dataDir, n), "utf8") }).lines(n) : undefined };
  const files = dir(scenDir).filter((p) => installed || /http|cve|CVE/.test(p)).map((p) => ({ path: p, text: readFileSync(p, "utf8") }));
  const loaded = loadScenarios(files, { data });
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.path + ": " + e.message).join("\\n"));
  return loaded.value;
}

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

const dirPath = mkdtempSync(join(tmpdir(), "palisade-stages-"));
try {
  const src = join(dirPath, "entry.mjs");
  const out = join(dirPath, "bundle.mjs");
  writeFileSync(src, entry);
  await build({
    entryPoints: [src],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    logLevel: "warning",
    nodePaths: [join(root, "node_modules")],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  const m = await import(pathToFileURL(out).href);
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
} finally {
  rmSync(dirPath, { recursive: true, force: true });
}
