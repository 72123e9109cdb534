// The scenario set of bench:core, for benchmarks bundled by bench/bundle.mjs (it imports
// src/ TypeScript, so it runs only bundled): CrowdSec 1.4.6's installed collection
// (/etc/crowdsec/scenarios, /var/lib/crowdsec/data) when present, else the corpus hub's
// http scenarios and data files.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { dataStoreFrom } from "../src/core/data";
import { loadScenarios } from "../src/core/scenario/index";

function yamlFiles(path) {
  return readdirSync(path).flatMap((n) => {
    const p = join(path, n);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
  });
}

/** The compiled scenarios and the folder they came from. */
export function benchScenarios(root) {
  const installed = existsSync("/etc/crowdsec/scenarios");
  const scenDir = installed
    ? "/etc/crowdsec/scenarios"
    : join(root, "../shared/corpus/crowdsec-hub-rules/scenarios/crowdsecurity");
  const dataDir = installed
    ? "/var/lib/crowdsec/data"
    : join(root, "../shared/corpus/crowdsec-data");
  const data = {
    lines: (n) =>
      existsSync(join(dataDir, n))
        ? dataStoreFrom({ [n]: readFileSync(join(dataDir, n), "utf8") }).lines(n)
        : undefined,
  };
  const files = yamlFiles(scenDir)
    .filter((p) => installed || /http|cve|CVE/.test(p))
    .map((p) => ({ path: p, text: readFileSync(p, "utf8") }));
  const loaded = loadScenarios(files, { data });
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => `${e.path}: ${e.message}`).join("\n"));
  return { scenarios: loaded.value, scenDir };
}
