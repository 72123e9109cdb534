import type {
  Classification,
  Explain,
  ExplainReporter,
  Reputation,
} from "../../contract/capi-commons";
import type { ConsensusParams } from "./params";
import { decay, tally } from "./score";
import type { Listing, ReportRow } from "./types";

/** What the policy says of an address before any report is read. */
export interface PolicyView {
  reserved?: string | undefined;
  safe?: { cidr: string; source: string; reason: string } | undefined;
}

const iso = (ms: number | undefined): string | null =>
  ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();

export function reputationOf(
  ip: string,
  key: string,
  rows: readonly ReportRow[],
  listing: Listing | undefined,
  now: number,
  p: ConsensusParams,
  policy: PolicyView,
): Reputation {
  const counted = rows.filter((r) => r.counted && r.lastAt > now - p.windowMs);
  const t = tally(counted, now, p);
  const scenarios = [...new Set(counted.map((r) => r.scenario))].sort();
  const first = counted.length ? Math.min(...counted.map((r) => r.firstAt)) : undefined;
  const last = counted.length ? Math.max(...counted.map((r) => r.lastAt)) : undefined;
  let classification: Classification = "unknown";
  let reason: string | null = null;
  if (policy.reserved) reason = `reserved: ${policy.reserved}`;
  else if (policy.safe) {
    classification = "safe";
    reason = `safe list: ${policy.safe.cidr} (${policy.safe.source}: ${policy.safe.reason})`;
  } else if (listing) classification = "malicious";
  else if (t.reporters.length > 0) classification = "suspicious";
  return {
    ip,
    key,
    listed: listing !== undefined,
    reporters: t.reporters.length,
    scenarios,
    first_seen: iso(first),
    last_seen: iso(last),
    classification,
    until: listing ? iso(listing.until) : null,
    reason,
  };
}

export function explainOf(
  ip: string,
  key: string,
  rows: readonly ReportRow[],
  listing: Listing | undefined,
  now: number,
  p: ConsensusParams,
  policy: PolicyView,
  names: ReadonlyMap<string, string>,
): Explain {
  const rep = reputationOf(ip, key, rows, listing, now, p, policy);
  const t = tally(rows, now, p);
  const needs = {
    reporters: p.minReporters,
    score: round(p.minReporters * p.listAt),
    keep_score: round(p.minReporters * p.keepAt),
  };
  const detail: ExplainReporter[] = rows.map((r) => {
    const live = r.counted && r.lastAt > now - p.windowMs;
    return {
      machine_id: r.member,
      name: names.get(r.member) ?? "",
      scenario: r.scenario,
      counted: live,
      why: live ? "" : r.why || "outside the window",
      trust: round(r.trust),
      weight: live ? round(r.trust * decay(now - r.lastAt, p)) : 0,
      reports: r.count,
      first_at: new Date(r.firstAt).toISOString(),
      last_at: new Date(r.lastAt).toISOString(),
    };
  });
  return {
    ...rep,
    verdict: verdictText(rep, t.reporters.length, t.score, listing, needs),
    score: round(t.score),
    needs,
    reporters_detail: detail,
  };
}

function verdictText(
  rep: Reputation,
  reporters: number,
  score: number,
  listing: Listing | undefined,
  needs: Explain["needs"],
): string {
  if (rep.reason?.startsWith("reserved")) return `Never listed: ${rep.reason}.`;
  if (rep.classification === "safe") return `Never listed: on the ${rep.reason}.`;
  const s = round(score);
  if (listing)
    return `Listed since ${new Date(listing.listedAt).toISOString()}: ${reporters} counted reporter(s), score ${s}; it stays listed while the score is at least ${needs.keep_score} (until ${rep.until} without new reports).`;
  if (reporters < needs.reporters)
    return `Not listed: ${reporters} counted reporter(s) in the window, ${needs.reporters} needed (reports from members not enrolled, of modified scenarios or outside the window do not count).`;
  return `Not listed: ${reporters} counted reporters but a score of ${s}, ${needs.score} needed (the reporters' trust is low or their reports are old).`;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
