/**
 * Decisions: what enforcement does about a source (ban, captcha, throttle, or a custom
 * type bouncers may know), for how long, and why. Profiles make them from alerts
 * (`decide` in profile/).
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
 *
 * A recurrence is a new incident: a decision counts only if the alert that made it ended
 * before the new alert's first event (both in the log's own time, so a late push or a
 * replayed backlog changes nothing). Alerts whose events overlap are one incident, seen
 * by several scenarios (ssh-bf, then ssh-slow-bf, on the same failed logins), and do not
 * escalate each other.
 */
export interface DecisionHistory {
  /**
   * Decisions whose value is exactly `value`, started after `sinceMs` (the decisions'
   * clock) when given, and whose alert ended before `incidentStart` (log time) when given.
   */
  count(value: string, sinceMs?: number, incidentStart?: number): number;
}

export class MemoryDecisionHistory implements DecisionHistory {
  private readonly seen = new Map<string, { start: number; end: number }[]>();

  /**
   * Remembers decisions; one without `start` counts as taken at `at`. `incidentEnd` is
   * the `stop_at` of their alert (replay's decisions start then, so it defaults to that).
   */
  record(decisions: Iterable<Decision>, at = 0, incidentEnd?: number): void {
    for (const d of decisions) {
      const start = d.start ?? at;
      const entry = { start, end: incidentEnd ?? start };
      const list = this.seen.get(d.value);
      if (list) list.push(entry);
      else this.seen.set(d.value, [entry]);
    }
  }

  count(value: string, sinceMs?: number, incidentStart?: number): number {
    const list = this.seen.get(value);
    if (!list) return 0;
    // CrowdSec counts decisions created strictly after `since`.
    const after = sinceMs ?? Number.NEGATIVE_INFINITY;
    const before = incidentStart ?? Number.POSITIVE_INFINITY;
    let n = 0;
    for (const e of list) if (e.start > after && e.end < before) n++;
    return n;
  }
}
