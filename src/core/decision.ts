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
