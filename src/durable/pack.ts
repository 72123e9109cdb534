import type { CompiledScenario } from "../core/scenario/index";
import { type DetectionPack as HubPack, loadHubPack } from "../hub/index";

/**
 * The built-in detection pack compiled once per isolate: the ingest Worker runs the
 * scenarios' filters, the SourceTracker pours into their buckets and decides with the
 * profiles and the allowlist. Both address a scenario by its name, which is stable
 * across deploys (its position in the pack is not). The profiles that set no
 * `ipv6_prefix` take the Worker's IPV6_PREFIX.
 */
export interface DetectionPack extends HubPack {
  readonly byName: ReadonlyMap<string, CompiledScenario>;
}

const loaded = new Map<number, DetectionPack>();

/** The pack for this IPV6_PREFIX (`configOf(env).ipv6Prefix`): one per isolate in practice. */
export function detectionPack(ipv6Prefix: number): DetectionPack {
  let pack = loaded.get(ipv6Prefix);
  if (!pack) {
    const hub = loadHubPack({ ipv6Prefix });
    pack = { ...hub, byName: new Map(hub.scenarios.map((s) => [s.name, s])) };
    loaded.set(ipv6Prefix, pack);
  }
  return pack;
}
