import type { Alert } from "./alert";
import type { Allowlist, AllowlistEntry } from "./allowlist";
import type { Diagnostic } from "./diagnostic";
import type { CompiledProfile } from "./profile";
import { evaluateProfiles } from "./profile/evaluate";

/**
 * Decisions: what enforcement does about a source (ban, captcha, throttle, or a custom
 * type bouncers may know), for how long, and why.
 */

export interface Decision {
  /** `ban` | `captcha` | `throttle`, or a custom type passed through. */
  type: string;
  /** `Ip` | `Range`, or a custom scope. */
  scope: string;
  /** The IP, the CIDR (`2001:db8:1:2::/64`), or the custom scope's value. */
  value: string;
  /** Milliseconds. */
  duration: number;
  /** See DECISION_ORIGINS; profiles may append a suffix (`palisade/<origin>`). */
  origin: string;
  scenario: string;
  /** When it took effect, ms since epoch. */
  start?: number;
  /** When it expires: start + duration. */
  until?: number;
}

/**
 * Decision origins. The manual and community ones are CrowdSec's own words, so bouncers
 * and dashboards that treat them specially keep doing so.
 */
export const DECISION_ORIGINS = {
  /** Made by a profile from a detection. */
  detected: "palisade",
  /** Added by an operator (`palisade decisions add`), CrowdSec's `cscli`. */
  manual: "cscli",
  /** Imported in bulk, CrowdSec's `cscli-import`. */
  imported: "cscli-import",
  /** The community blocklist, CrowdSec's `CAPI`. */
  community: "CAPI",
  /** Third-party blocklists, CrowdSec's `lists`. */
  lists: "lists",
} as const;

/**
 * Earlier decisions, counted by value, for escalation (`GetDecisionsCount`,
 * `GetDecisionsSinceCount` in profiles). In replay it is a MemoryDecisionHistory fed with
 * the run's own decisions; live, the source's Durable Object answers it.
 */
export interface DecisionHistory {
  /** Decisions whose value is exactly `value`, started after `sinceMs` when given. */
  count(value: string, sinceMs?: number): number;
}

export class MemoryDecisionHistory implements DecisionHistory {
  private readonly starts = new Map<string, number[]>();

  /** Remembers decisions; one without `start` counts as taken at `at`. */
  record(decisions: Iterable<Decision>, at = 0): void {
    for (const d of decisions) {
      const list = this.starts.get(d.value);
      const start = d.start ?? at;
      if (list) list.push(start);
      else this.starts.set(d.value, [start]);
    }
  }

  count(value: string, sinceMs?: number): number {
    const list = this.starts.get(value);
    if (!list) return 0;
    if (sinceMs === undefined) return list.length;
    // CrowdSec counts decisions created strictly after `since`.
    let n = 0;
    for (const s of list) if (s > sinceMs) n++;
    return n;
  }
}

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
