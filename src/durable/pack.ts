import { type Allowlist, loadAllowlist } from "../core/allowlist";
import { dataStoreFrom } from "../core/data";
import { type Diagnostic, formatDiagnostic } from "../core/diagnostic";
import { type CompiledProfile, loadProfiles } from "../core/profile";
import { type CompiledScenario, loadScenarios } from "../core/scenario/index";
import { hubFiles } from "../hub/pack.gen";

/**
 * The built-in detection pack (src/hub, embedded by `npm run build`), compiled once per
 * isolate: the ingest Worker runs the scenarios' filters, the SourceTracker pours into
 * their buckets and decides with the profiles and the allowlist. Both address a scenario
 * by its name, which is stable across deploys (its position in the pack is not).
 */
export interface DetectionPack {
  readonly scenarios: readonly CompiledScenario[];
  readonly byName: ReadonlyMap<string, CompiledScenario>;
  readonly profiles: readonly CompiledProfile[];
  readonly allowlist: Allowlist;
}

let loaded: DetectionPack | undefined;

export function detectionPack(): DetectionPack {
  loaded ??= load();
  return loaded;
}

function load(): DetectionPack {
  const files: Record<string, string> = {};
  for (const [k, v] of Object.entries(hubFiles)) if (k.startsWith("data/")) files[k.slice(5)] = v;
  const data = dataStoreFrom(files);
  const scenarios = loadScenarios(hubUnder("scenarios/"), { data });
  const profiles = loadProfiles(hubUnder("profiles.yaml"), { data });
  const allowlist = loadAllowlist([], {
    builtin: { path: "hub/allowlist.yaml", text: hubFiles["allowlist.yaml"] ?? "" },
  });
  // The pack ships with the Worker and is tested: failing to load it is a bug.
  if (!scenarios.ok) throw new Error(`built-in scenarios: ${describe(scenarios.errors)}`);
  if (!profiles.ok) throw new Error(`built-in profiles: ${describe(profiles.errors)}`);
  if (!allowlist.ok) throw new Error(`built-in allowlist: ${describe(allowlist.errors)}`);
  return {
    scenarios: scenarios.value,
    byName: new Map(scenarios.value.map((s) => [s.name, s])),
    profiles: profiles.value,
    allowlist: allowlist.value,
  };
}

function hubUnder(prefix: string) {
  return Object.keys(hubFiles)
    .filter((k) => k.startsWith(prefix) && /\.ya?ml$/.test(k))
    .sort()
    .map((k) => ({ path: `hub/${k}`, text: hubFiles[k] as string }));
}

function describe(errors: readonly Diagnostic[]): string {
  return errors.map(formatDiagnostic).join("; ");
}
