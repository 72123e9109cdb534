import type { TrustParams } from "./params";

/**
 * A member's trust, in [0, 2): the share of its reports the crowd corroborated, smoothed
 * by a prior worth `prior` reports each way so that a new member starts at exactly 1:
 *
 *   trust = 2 (c + k) / (2k + c + wu·u + ws·s)
 *
 * c: its reports among those that listed an address; u: its reports that left the window
 * with nobody corroborating them; s: its reports of safe-listed addresses. A member whose
 * reports are all corroborated tends to 2; one that keeps reporting what nobody else
 * sees, or a CDN's edge, tends to 0 and its reports weigh next to nothing.
 */

export interface TrustCounts {
  corroborated: number;
  uncorroborated: number;
  safe: number;
}

export function trustOf(c: TrustCounts, p: TrustParams): number {
  const num = 2 * (c.corroborated + p.prior);
  const den =
    2 * p.prior +
    c.corroborated +
    p.uncorroboratedWeight * c.uncorroborated +
    p.safeWeight * c.safe;
  return num / den;
}
