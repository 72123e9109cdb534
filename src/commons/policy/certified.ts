import { HUB_DIGESTS } from "../data/hub-digests.gen";
import { PACK_DIGESTS } from "../data/pack-digests.gen";

/**
 * Certified scenarios: a signal counts toward consensus only when its scenario file is a
 * published one, so that a member running a modified scenario (a typo in a filter, a
 * capacity of 1) cannot turn its mistakes into everyone's blocklist. Published means: its
 * sha256 (`scenario_hash`) and `scenario_version` are a version in the CrowdSec hub's
 * index, or its sha256 is a scenario file of Palisade's own pack (any version: the pack
 * is versioned with Palisade), and the file defines the reported scenario name. Digests
 * are kept to 128 bits (data/*.gen.ts, written at build by scripts/commons-data.mjs).
 */

export type Certification =
  | { certified: true; source: "hub" | "palisade" }
  | { certified: false; why: string };

interface Published {
  version: string;
  names: readonly string[];
  source: "hub" | "palisade";
}

const PREFIX = 32;
let table: Map<string, Published[]> | undefined;

function load(): Map<string, Published[]> {
  const out = new Map<string, Published[]>();
  const add = (text: string, source: Published["source"]) => {
    for (const line of text.split("\n")) {
      const tab = line.indexOf("\t");
      if (tab < 0) continue;
      const names = line.slice(0, tab).split(",");
      for (const pair of line.slice(tab + 1).split(" ")) {
        const colon = pair.lastIndexOf(":");
        const digest = pair.slice(colon + 1);
        const list = out.get(digest) ?? [];
        list.push({ version: pair.slice(0, colon), names, source });
        out.set(digest, list);
      }
    }
  };
  add(HUB_DIGESTS, "hub");
  add(PACK_DIGESTS, "palisade");
  return out;
}

/** How many published scenario versions the table holds (hub and pack). */
export function certifiedVersionCount(): number {
  table ??= load();
  let n = 0;
  for (const list of table.values()) n += list.length;
  return n;
}

export function certify(scenario: string, version: string, hash: string): Certification {
  const digest = hash.trim().toLowerCase();
  if (digest === "") return { certified: false, why: "custom scenario (no scenario_hash)" };
  if (!/^[0-9a-f]{64}$/.test(digest))
    return { certified: false, why: "scenario_hash is not a sha256 (64 hex digits)" };
  table ??= load();
  const published = table.get(digest.slice(0, PREFIX));
  if (!published)
    return {
      certified: false,
      why: `modified scenario: ${scenario}'s digest is no published version`,
    };
  const named = published.filter((p) => p.names.includes(scenario));
  if (named.length === 0)
    return {
      certified: false,
      why: `the digest is published for ${published[0]?.names[0]}, not ${scenario}`,
    };
  const match = named.find((p) => p.version === "*" || p.version === version);
  if (!match)
    return {
      certified: false,
      why: `${scenario} ${version} does not match its digest (published as version ${named[0]?.version})`,
    };
  return { certified: true, source: match.source };
}
