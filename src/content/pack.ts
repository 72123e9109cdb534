import type { ContentBundle } from "../contract/content";
import { type DataStore, dataStoreFrom } from "../core/data";
import type { Diagnostic } from "../core/diagnostic";
import { compileCustomParser } from "../core/parser/custom";
import type { LogParser } from "../core/parser/index";
import { type CompiledProfile, loadProfiles } from "../core/profile/index";
import { type CompiledScenario, loadScenarios } from "../core/scenario/index";
import { type DetectionPack as HubPack, hubFile, hubFilesUnder, loadHubPack } from "../hub/index";
import { hubFiles } from "../hub/pack.gen";
import { contentHash } from "./hash";
import { scenarioDocs } from "./split";

/**
 * The detection pack of one content version: the built-in pack (compiled once per
 * isolate) with the operator's installed scenarios, parsers, profiles and data files
 * over it (a scenario installed under a built-in's name replaces it), minus the disabled
 * scenarios. Ingest, the trackers and the admin API all read it.
 */

export type ScenarioOrigin = "builtin" | "installed" | "override";

export interface ScenarioEntry {
  name: string;
  origin: ScenarioOrigin;
  file: string;
  text: string;
  hash: string;
  enabled: boolean;
  simulated: boolean;
}

export interface RuntimePack extends HubPack {
  readonly version: number;
  /** The scenarios that run, by name. */
  readonly byName: ReadonlyMap<string, CompiledScenario>;
  /** Content hash of each running scenario (tracker bucket state is kept per hash). */
  readonly hashOf: ReadonlyMap<string, string>;
  /** Running scenarios whose groupby is not the source IP: routed by their group key. */
  readonly byGroup: ReadonlySet<string>;
  /** Installed parsers by acquisition type. */
  readonly parsers: ReadonlyMap<string, LogParser>;
  /** Every scenario known, running or disabled, compiled, by name. */
  readonly all: ReadonlyMap<string, CompiledScenario>;
  /** Every scenario known, running or disabled, for listings. */
  readonly entries: readonly ScenarioEntry[];
  readonly profilesText: string;
  readonly profilesOrigin: "builtin" | "installed";
  simulated(name: string): boolean;
  /** The whole deployment is in simulation (`palisade scenarios simulate --all`). */
  readonly simulationAll: boolean;
  /** Installed items that did not compile (left out); empty for a validated bundle. */
  readonly problems: readonly Diagnostic[];
}

/** The groupby that routes by source IP, as the built-in pack and the hub write it. */
const IP_GROUPBY = /^\(?\s*evt\.Meta\.source_ip\s*\)?$/;

export function routedByIp(s: CompiledScenario): boolean {
  return s.groupby !== undefined && IP_GROUPBY.test(s.groupby.source.trim());
}

const hubs = new Map<number, HubPack>();
let builtinDocs: Map<string, { file: string; text: string }> | undefined;

function hubPack(ipv6Prefix: number): HubPack {
  let pack = hubs.get(ipv6Prefix);
  if (!pack) {
    pack = loadHubPack({ ipv6Prefix });
    hubs.set(ipv6Prefix, pack);
  }
  return pack;
}

/** Each built-in scenario's own YAML document, by name (for its hash and `show`). */
export function builtinScenarioDocs(): ReadonlyMap<string, { file: string; text: string }> {
  if (!builtinDocs) {
    builtinDocs = new Map();
    for (const f of hubFilesUnder("scenarios/"))
      for (const d of scenarioDocs(f.path, f.text)) builtinDocs.set(d.name, d);
  }
  return builtinDocs;
}

/** The data store installed scenarios and profiles read: the bundle's files over the hub's. */
export function contentDataStore(data: Readonly<Record<string, string>>): DataStore {
  const files: Record<string, string> = {};
  for (const [k, v] of Object.entries(hubFiles)) if (k.startsWith("data/")) files[k.slice(5)] = v;
  return dataStoreFrom({ ...files, ...data });
}

/**
 * Installed scenarios compiled before, by file, text and data files: a new version
 * recompiles only what changed (a compiled scenario holds no bucket state, so versions
 * share it as they share the built-in ones). Bounded: the oldest entries go first.
 */
const compiled = new Map<string, readonly CompiledScenario[]>();
const COMPILED_KEEP = 1_000;

function installedScenarios(
  bundle: ContentBundle,
  data: DataStore,
  problems: Diagnostic[],
): Map<string, CompiledScenario> {
  const dataKey = contentHash(JSON.stringify(bundle.data));
  const installed = new Map<string, CompiledScenario>();
  for (const s of bundle.scenarios) {
    const key = `${s.file}\u0000${contentHash(s.text)}\u0000${dataKey}`;
    let list = compiled.get(key);
    if (!list) {
      const r = loadScenarios([{ path: s.file, text: s.text }], { data });
      if (!r.ok) {
        problems.push(...r.errors);
        continue;
      }
      list = r.value;
      compiled.set(key, list);
      if (compiled.size > COMPILED_KEEP) compiled.delete(compiled.keys().next().value as string);
    }
    for (const c of list) installed.set(c.name, c);
  }
  return installed;
}

export function compilePack(
  version: number,
  bundle: ContentBundle,
  ipv6Prefix: number,
): RuntimePack {
  const hub = hubPack(ipv6Prefix);
  const problems: Diagnostic[] = [];
  const data = contentDataStore(bundle.data);
  const installed = installedScenarios(bundle, data, problems);
  const disabled = new Set(bundle.disabled);
  const sim = new Set(bundle.simulation.scenarios);
  const simulated = (name: string) => (bundle.simulation.all ? !sim.has(name) : sim.has(name));
  const entries = scenarioEntries(bundle, hub, disabled, simulated);
  const running: CompiledScenario[] = [];
  for (const s of hub.scenarios)
    if (!installed.has(s.name) && !disabled.has(s.name)) running.push(s);
  for (const s of installed.values()) if (!disabled.has(s.name)) running.push(s);
  const hashOf = new Map(entries.map((e) => [e.name, e.hash]));
  const profiles = profilesOf(bundle, data, ipv6Prefix, hub, problems);
  return {
    version,
    scenarios: running,
    profiles,
    allowlist: hub.allowlist,
    byName: new Map(running.map((s) => [s.name, s])),
    all: new Map([...hub.scenarios.map((s) => [s.name, s] as const), ...installed]),
    hashOf,
    byGroup: new Set(running.filter((s) => !routedByIp(s)).map((s) => s.name)),
    parsers: parsersOf(bundle, problems),
    entries,
    profilesText: bundle.profiles ?? hubFile("profiles.yaml").text,
    profilesOrigin: bundle.profiles === undefined ? "builtin" : "installed",
    simulated,
    simulationAll: bundle.simulation.all,
    problems,
  };
}

function scenarioEntries(
  bundle: ContentBundle,
  hub: HubPack,
  disabled: ReadonlySet<string>,
  simulated: (name: string) => boolean,
): ScenarioEntry[] {
  const docs = builtinScenarioDocs();
  const own = new Map(bundle.scenarios.map((s) => [s.name, s]));
  const out: ScenarioEntry[] = [];
  const entry = (name: string, origin: ScenarioOrigin, file: string, text: string) =>
    out.push({
      name,
      origin,
      file,
      text,
      hash: contentHash(text),
      enabled: !disabled.has(name),
      simulated: simulated(name),
    });
  for (const s of hub.scenarios) {
    const mine = own.get(s.name);
    if (mine) entry(s.name, "override", mine.file, mine.text);
    else {
      const doc = docs.get(s.name);
      entry(s.name, "builtin", doc?.file ?? s.file, doc?.text ?? "");
    }
  }
  const builtin = new Set(hub.scenarios.map((s) => s.name));
  for (const s of bundle.scenarios)
    if (!builtin.has(s.name)) entry(s.name, "installed", s.file, s.text);
  return out;
}

function profilesOf(
  bundle: ContentBundle,
  data: DataStore,
  ipv6Prefix: number,
  hub: HubPack,
  problems: Diagnostic[],
): readonly CompiledProfile[] {
  if (bundle.profiles === undefined) return hub.profiles;
  const r = loadProfiles([{ path: "profiles.yaml", text: bundle.profiles }], { data, ipv6Prefix });
  if (r.ok) return r.value;
  problems.push(...r.errors);
  return hub.profiles;
}

function parsersOf(bundle: ContentBundle, problems: Diagnostic[]): Map<string, LogParser> {
  const out = new Map<string, LogParser>();
  for (const p of bundle.parsers) {
    const r = compileCustomParser(p.text, p.file);
    if (r.ok) out.set(r.value.type, r.value);
    else problems.push(...r.errors);
  }
  return out;
}
