// Scenario sets and events for the guard tests: the real CrowdSec hub scenarios and hub
// test logs from ../shared/corpus (never copied here), and CrowdSec 1.4.6's installed
// scenarios when this machine has them.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { type DataStore, dataStoreFrom } from "../../../src/core/data";
import type { Event } from "../../../src/core/event";
import { parserFor } from "../../../src/core/parser/index";
import { type CompiledScenario, loadScenarios } from "../../../src/core/scenario/index";

const corpus = resolve(import.meta.dirname, "../../../../shared/corpus");

export interface ScenarioSet {
  name: string;
  scenarios: CompiledScenario[];
}

function dirData(dir: string): DataStore {
  const files: Record<string, string> = {};
  if (existsSync(dir)) {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isFile()) files[f] = readFileSync(p, "utf8");
    }
  }
  return dataStoreFrom(files);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(name) ? [p] : [];
  });
}

/** Every scenario of `dir` that loads (a file that does not load is left out, not fatal). */
function loadDir(dir: string, data: DataStore): CompiledScenario[] {
  return yamlFiles(dir).flatMap((path) => {
    const r = loadScenarios([{ path, text: readFileSync(path, "utf8") }], { data });
    return r.ok ? r.value : [];
  });
}

export function scenarioSets(): ScenarioSet[] {
  const sets: ScenarioSet[] = [];
  const hub = join(corpus, "crowdsec-hub-rules/scenarios/crowdsecurity");
  if (existsSync(hub)) {
    sets.push({ name: "hub", scenarios: loadDir(hub, dirData(join(corpus, "crowdsec-data"))) });
  }
  if (existsSync("/etc/crowdsec/scenarios")) {
    const data = dirData("/var/lib/crowdsec/data");
    sets.push({ name: "crowdsec-1.4.6", scenarios: loadDir("/etc/crowdsec/scenarios", data) });
  }
  return sets;
}

const NOW = Date.UTC(2024, 5, 1);

/** The events of every hub test log Palisade has a parser for, one list per test. */
export function hubLogEvents(): Event[][] {
  const dir = join(corpus, "crowdsec-hub");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const configPath = join(dir, name, "config.yaml");
    if (!existsSync(configPath)) return [];
    const config = parseYaml(readFileSync(configPath, "utf8")) as Record<string, unknown>;
    const parser = parserFor(String(config.log_type));
    const logPath = join(dir, name, String(config.log_file));
    if (!parser || !existsSync(logPath)) return [];
    const origin = { src: logPath, module: "file", labels: { type: String(config.log_type) } };
    const events = readFileSync(logPath, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => parser.parse(l.replace(/\r$/, ""), origin, { now: NOW }))
      .filter((e): e is Event => e !== null);
    return [events];
  });
}
