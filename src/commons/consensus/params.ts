/**
 * The consensus' parameters (src/commons/README.md explains each and the attacks they
 * resist). `minReporters`, `windowMs` and `halfLifeMs` come from the Worker's vars
 * (COMMONS_MIN_REPORTERS, COMMONS_WINDOW, COMMONS_HALF_LIFE); the others are fixed.
 */
export interface ConsensusParams {
  /** Distinct enrolled members with a counted report that a key needs to be listed. */
  minReporters: number;
  /** A report counts for this long after the member's last report of the key. */
  windowMs: number;
  /** A report's weight halves every `halfLifeMs` since the member's last report. */
  halfLifeMs: number;
  /** Listed when the reporters' summed trust (support) reaches `minReporters × listAt`. */
  listAt: number;
  /** Kept listed while the score stays at or above `minReporters × keepAt`. */
  keepAt: number;
  /** The shortest listing: one made on reports already decayed lasts at least this. */
  minListingMs: number;
  /** A listing whose projected end moves later by more than this is published again. */
  republishMs: number;
}

export interface TrustParams {
  /** Weight of the prior: a new member's trust is 1 and moves slowly at first. */
  prior: number;
  /** What one report that nobody corroborated within the window costs, against one corroborated. */
  uncorroboratedWeight: number;
  /** What one report of a safe-listed address costs. */
  safeWeight: number;
}

const HOUR = 3_600_000;

export const DEFAULT_CONSENSUS: ConsensusParams = {
  minReporters: 3,
  windowMs: 7 * 24 * HOUR,
  halfLifeMs: 24 * HOUR,
  listAt: 0.8,
  keepAt: 0.25,
  minListingMs: 6 * HOUR,
  republishMs: 6 * HOUR,
};

export const DEFAULT_TRUST: TrustParams = { prior: 5, uncorroboratedWeight: 0.25, safeWeight: 4 };
