import { compilePack, type RuntimePack } from "../content/pack";
import type { ContentBundle } from "../contract/content";
import { EMPTY_BUNDLE } from "../contract/content";

/**
 * The detection pack of a content version, compiled once per isolate per version: the
 * ingest Worker runs the scenarios' filters, the SourceTracker pours into their buckets
 * and decides with the profiles and the allowlist. Both address a scenario by its name,
 * which is stable across versions and deploys (its position in the pack is not). The
 * profiles that set no `ipv6_prefix` take the Worker's IPV6_PREFIX.
 */
export type DetectionPack = RuntimePack;

/** Versions kept compiled per isolate: the current one and those still in flight. */
const KEEP = 4;
const loaded = new Map<string, Promise<DetectionPack>>();
const builtin = new Map<number, DetectionPack>();

/** The built-in pack alone (content version 0) for this IPV6_PREFIX. */
export function detectionPack(ipv6Prefix: number): DetectionPack {
  let pack = builtin.get(ipv6Prefix);
  if (!pack) {
    pack = compilePack(0, EMPTY_BUNDLE, ipv6Prefix);
    builtin.set(ipv6Prefix, pack);
  }
  return pack;
}

/** Reads a version's bundle (the Ledger's `contentAt`); null when it does not exist. */
export type BundleSource = (
  version: number,
) => Promise<{ version: number; bundle: ContentBundle } | null>;

/**
 * The pack of `version`, compiled from the bundle `read` gives the first time this
 * isolate needs it. A version the Ledger does not know (it cannot happen: versions only
 * grow) falls back to the built-in pack rather than failing detection.
 */
export function packAt(
  ipv6Prefix: number,
  version: number,
  read: BundleSource,
): Promise<DetectionPack> {
  if (version === 0) return Promise.resolve(detectionPack(ipv6Prefix));
  const key = `${ipv6Prefix}:${version}`;
  const hit = loaded.get(key);
  if (hit) return hit;
  const pending = read(version).then((found) => {
    if (!found) {
      console.error(
        `palisade.content.unknown_version: version ${version}, using the built-in pack`,
      );
      return detectionPack(ipv6Prefix);
    }
    const pack = compilePack(version, found.bundle, ipv6Prefix);
    for (const p of pack.problems)
      console.error(`palisade.content.left_out: version ${version}: ${p.path}: ${p.message}`);
    return pack;
  });
  // A failed read is not cached: the next batch or alarm asks again.
  pending.catch(() => loaded.delete(key));
  loaded.set(key, pending);
  while (loaded.size > KEEP) loaded.delete(loaded.keys().next().value as string);
  return pending;
}
