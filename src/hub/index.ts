import { type Allowlist, loadAllowlist } from "../core/allowlist";
import { type DataStore, dataStoreFrom } from "../core/data";
import { type Diagnostic, formatDiagnostic } from "../core/diagnostic";
import { type CompiledProfile, loadProfiles } from "../core/profile/index";
import { type CompiledScenario, loadScenarios } from "../core/scenario/index";
import { hubFiles } from "./pack.gen";

/**
 * The built-in pack (src/hub, embedded into pack.gen.ts by `npm run build`), read the same
 * way by the CLI, the Worker, the Durable Objects and the tests.
 */
export interface HubFile {
  path: string;
  text: string;
}

/** The pack's YAML files under `prefix` (`scenarios/`, `profiles.yaml`), sorted by path. */
export function hubFilesUnder(prefix: string): HubFile[] {
  return Object.keys(hubFiles)
    .filter((k) => k.startsWith(prefix) && /\.ya?ml$/.test(k))
    .sort()
    .map((k) => ({ path: `hub/${k}`, text: hubFiles[k] as string }));
}

export function hubFile(name: string): HubFile {
  const text = hubFiles[name];
  // The pack ships with the code: a missing file means pack.gen.ts is stale (a bug).
  if (text === undefined)
    throw new Error(`built-in hub file ${name} is missing: run npm run build`);
  return { path: `hub/${name}`, text };
}

/** The pack's data files (`data/…`), by the names scenarios give under `data:`. */
export function hubDataStore(): DataStore {
  const files: Record<string, string> = {};
  for (const [k, v] of Object.entries(hubFiles)) if (k.startsWith("data/")) files[k.slice(5)] = v;
  return dataStoreFrom(files);
}

export interface DetectionPack {
  readonly scenarios: readonly CompiledScenario[];
  readonly profiles: readonly CompiledProfile[];
  readonly allowlist: Allowlist;
}

/**
 * Compiles the whole pack; it ships with the code and is tested, so a failure throws.
 * `ipv6Prefix` is what the profiles that set no `ipv6_prefix` decide on (default 64).
 */
export function loadHubPack(options: { ipv6Prefix?: number } = {}): DetectionPack {
  const data = hubDataStore();
  const scenarios = loadScenarios(hubFilesUnder("scenarios/"), { data });
  const profileOptions = options.ipv6Prefix === undefined ? { data } : { data, ...options };
  const profiles = loadProfiles(hubFilesUnder("profiles.yaml"), profileOptions);
  const allowlist = loadAllowlist([], { builtin: hubFile("allowlist.yaml") });
  if (!scenarios.ok) throw new Error(`built-in scenarios: ${describe(scenarios.errors)}`);
  if (!profiles.ok) throw new Error(`built-in profiles: ${describe(profiles.errors)}`);
  if (!allowlist.ok) throw new Error(`built-in allowlist: ${describe(allowlist.errors)}`);
  return { scenarios: scenarios.value, profiles: profiles.value, allowlist: allowlist.value };
}

function describe(errors: readonly Diagnostic[]): string {
  return errors.map(formatDiagnostic).join("; ");
}
