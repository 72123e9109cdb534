import type { CompiledScenario } from "../core/scenario/index";
import { type DetectionPack as HubPack, loadHubPack } from "../hub/index";

/**
 * The built-in detection pack compiled once per isolate: the ingest Worker runs the
 * scenarios' filters, the SourceTracker pours into their buckets and decides with the
 * profiles and the allowlist. Both address a scenario by its name, which is stable
 * across deploys (its position in the pack is not).
 */
export interface DetectionPack extends HubPack {
  readonly byName: ReadonlyMap<string, CompiledScenario>;
}

let loaded: DetectionPack | undefined;

export function detectionPack(): DetectionPack {
  if (!loaded) {
    const pack = loadHubPack();
    loaded = { ...pack, byName: new Map(pack.scenarios.map((s) => [s.name, s])) };
  }
  return loaded;
}
