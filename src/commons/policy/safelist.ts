import { IpRangeIndex, normalizeCidr, parseCidr } from "../../core/ip";

/**
 * The safe list: published crawler and CDN ranges the commons never lists, whoever
 * reports them. With Cloudflare (or any CDN) in front of a member, a member that reads
 * the wrong header reports the CDN's own edge; listing it would cut every site behind
 * that CDN off from every member. The defaults come from crowdsecurity/sec-lists
 * (`whitelists/`, embedded at build: data/safelist.gen.ts); the operator replaces a
 * source when its provider publishes new ranges, adds entries and removes entries.
 */

export interface SafeEntry {
  cidr: string;
  /** `cdn_providers/cloudflare_ips`, or `operator` for an entry added one by one. */
  source: string;
  reason: string;
}

/** What the operator changed, as the Registry keeps it. */
export interface SafeListChanges {
  /** Whole sources by name: replaces a default source of that name or adds one. */
  sources: Readonly<Record<string, string>>;
  added: readonly { cidr: string; reason: string }[];
  /** CIDRs taken out, whatever source named them. */
  removed: readonly string[];
}

export const NO_CHANGES: SafeListChanges = { sources: {}, added: [], removed: [] };

export interface SafeList {
  readonly size: number;
  /** The most specific entry containing the address, or one overlapping a range. */
  lookup(ipOrCidr: string): SafeEntry | undefined;
  entries(): readonly SafeEntry[];
}

/** The lines of a source file that are an IP or a CIDR (comments and blanks skipped). */
export function sourceEntries(text: string): { cidrs: string[]; rejected: string[] } {
  const cidrs: string[] = [];
  const rejected: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (line === "") continue;
    const cidr = normalizeCidr(line);
    if (cidr) cidrs.push(cidr);
    else rejected.push(line);
  }
  return { cidrs, rejected };
}

export function compileSafeList(
  defaults: Readonly<Record<string, string>>,
  changes: SafeListChanges = NO_CHANGES,
): SafeList {
  const removed = new Set(changes.removed.map((c) => normalizeCidr(c) ?? c));
  const all: SafeEntry[] = [];
  const sources = { ...defaults, ...changes.sources };
  for (const name of Object.keys(sources).sort()) {
    for (const cidr of sourceEntries(sources[name] as string).cidrs) {
      if (!removed.has(cidr)) all.push({ cidr, source: name, reason: `published list ${name}` });
    }
  }
  for (const a of changes.added) {
    const cidr = normalizeCidr(a.cidr);
    if (cidr && !removed.has(cidr)) all.push({ cidr, source: "operator", reason: a.reason });
  }
  const index = new IpRangeIndex(
    all.flatMap((e) => {
      const cidr = parseCidr(e.cidr);
      return cidr ? [{ cidr, value: e }] : [];
    }),
  );
  return {
    size: all.length,
    lookup(ipOrCidr) {
      const cidr = parseCidr(ipOrCidr);
      return cidr ? index.overlapping(cidr) : undefined;
    },
    entries: () => all,
  };
}
