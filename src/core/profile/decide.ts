import type { Alert } from "../alert";
import type { Allowlist, AllowlistEntry } from "../allowlist";
import type { Decision, DecisionHistory } from "../decision";
import type { Diagnostic } from "../diagnostic";
import { evaluateProfiles } from "./evaluate";
import type { CompiledProfile } from "./load";

export interface DecideOptions {
  history: DecisionHistory;
  allowlist?: Allowlist;
  /** The decision's start, ms since epoch (the alert's `stop_at` in replay). */
  now: number;
}

export interface DecisionResult {
  /** Empty when allowlisted, when no profile applied, or when the applying one has none. */
  decisions: Decision[];
  allowlisted: boolean;
  /** The allowlist entry that matched, when allowlisted. */
  allowlistedBy?: AllowlistEntry;
  /** The profile whose decisions these are. */
  profile?: string;
  /** Every profile that applied (for notifications), in order. */
  matched: string[];
  /** Runtime problems: filters that failed, duration_expr fallbacks, skipped decisions. */
  warnings: Diagnostic[];
  /** Filter traces of profiles with `debug: true`. */
  debug: string[];
}

/**
 * Alert → decisions. An allowlisted source never gets one; the alert is still reported,
 * marked allowlisted. The caller records the returned decisions in its history.
 */
export function decide(
  alert: Alert,
  profiles: readonly CompiledProfile[],
  options: DecideOptions,
): DecisionResult {
  const { allowlist, history, now } = options;
  const warnings: Diagnostic[] = [];
  const entry = allowlist?.matchAlert(alert, warnings);
  if (entry) {
    return {
      decisions: [],
      allowlisted: true,
      allowlistedBy: entry,
      matched: [],
      warnings,
      debug: [],
    };
  }
  const ctx = allowlist
    ? { history, now, rangeAllowed: (cidr: string) => allowlist.lookupRange(cidr) }
    : { history, now };
  const out = evaluateProfiles(alert, profiles, ctx);
  const result: DecisionResult = {
    decisions: out.decisions,
    allowlisted: false,
    matched: out.matched,
    warnings: [...warnings, ...out.warnings],
    debug: out.debug,
  };
  if (out.profile !== undefined) result.profile = out.profile;
  return result;
}

/**
 * One alert per source, as CrowdSec sends its Local API one alert per source of an
 * overflow (each then gets its own decisions). `decide` looks at `alert.source` only.
 */
export function alertPerSource(alert: Alert): Alert[] {
  const sources = alert.sources;
  if (!sources || sources.length <= 1) return [alert];
  return sources.map((source) => ({ ...alert, source, sources: [source] }));
}
