import type { ConsensusParams } from "./params";
import type { ReportRow } from "./types";

/**
 * Two sums over the distinct members with a counted report of a key in the window (a
 * member weighs once however often it reports: 10,000 reports are one reporter):
 * - `support`, their trust: what listing needs (seen by enough trusted members within
 *   the window, however the reports are spread in it);
 * - `score`, their trust halved for every half-life since each one's last report: what
 *   keeps a listing alive, so that it decays and ends once reports stop.
 */

export interface ReporterWeight {
  member: string;
  trust: number;
  lastAt: number;
  weight: number;
}

export interface Tally {
  reporters: ReporterWeight[];
  support: number;
  score: number;
  /** The scenario most reporters named (ties: the first in name order). */
  scenario: string;
  /** Earliest moment a counted reporter leaves the window (Infinity when none). */
  firstExit: number;
  /** Moment the last counted reporter leaves the window (-Infinity when none). */
  lastExit: number;
}

export function decay(ageMs: number, p: ConsensusParams): number {
  return 2 ** (-Math.max(0, ageMs) / p.halfLifeMs);
}

export function tally(rows: readonly ReportRow[], now: number, p: ConsensusParams): Tally {
  const byMember = new Map<string, ReporterWeight>();
  const scenarios = new Map<string, Set<string>>();
  for (const r of rows) {
    if (!r.counted || r.lastAt <= now - p.windowMs) continue;
    const seen = byMember.get(r.member);
    if (!seen || r.lastAt > seen.lastAt)
      byMember.set(r.member, { member: r.member, trust: r.trust, lastAt: r.lastAt, weight: 0 });
    const s = scenarios.get(r.scenario) ?? new Set<string>();
    s.add(r.member);
    scenarios.set(r.scenario, s);
  }
  let score = 0;
  let support = 0;
  let firstExit = Number.POSITIVE_INFINITY;
  let lastExit = Number.NEGATIVE_INFINITY;
  const reporters = [...byMember.values()];
  for (const r of reporters) {
    r.weight = r.trust * decay(now - r.lastAt, p);
    score += r.weight;
    support += r.trust;
    firstExit = Math.min(firstExit, r.lastAt + p.windowMs);
    lastExit = Math.max(lastExit, r.lastAt + p.windowMs);
  }
  let scenario = "";
  let most = 0;
  for (const name of [...scenarios.keys()].sort()) {
    const n = (scenarios.get(name) as Set<string>).size;
    if (n > most) [scenario, most] = [name, n];
  }
  return { reporters, support, score, scenario, firstExit, lastExit };
}

export interface Verdict {
  listed: boolean;
  /** When the listing ends if no report comes (now when not listed). */
  until: number;
  /** When to evaluate again: `until`, or earlier when a reporter leaves the window. */
  reviewAt: number;
}

/**
 * A key is listed when enough reporters support it; a listed key stays listed while its
 * decayed score stays at or above `keep` (and for at least `minListingMs`, so that a
 * listing made on reports already old still reaches the members). Once delisted, a new
 * counted report lists it again if the support is still there.
 */
export function verdict(
  t: Tally,
  listedAt: number | undefined,
  now: number,
  p: ConsensusParams,
): Verdict {
  const keep = p.minReporters * p.keepAt;
  const listed =
    listedAt === undefined
      ? t.reporters.length >= p.minReporters && t.support >= p.minReporters * p.listAt
      : t.reporters.length > 0 && (t.score >= keep || now < listedAt + p.minListingMs);
  if (!listed) return { listed, until: now, reviewAt: Number.POSITIVE_INFINITY };
  // Every weight decays at the same rate, so the score reaches `keep` after
  // log2(score / keep) half-lives, unless the reporters leave the window first.
  const decayEnd = now + p.halfLifeMs * Math.log2(t.score / keep);
  const floor = (listedAt ?? now) + p.minListingMs;
  const until = Math.ceil(Math.max(floor, Math.min(decayEnd, t.lastExit)));
  return { listed, until, reviewAt: Math.min(until, t.firstExit) };
}
