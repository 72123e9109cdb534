/** Retry timing: jittered exponential backoff, and the server's own Retry-After when given. */

/**
 * Delay before retry number `attempt` (1-based): the exponential step
 * initial·2^(attempt-1), capped at `max`, scaled by a random factor in [0.5, 1) so that
 * many shippers recovering together do not retry in lockstep.
 */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number,
): number {
  const step = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 40));
  return Math.round(step * (0.5 + random() / 2));
}

/** Longest Retry-After honoured, so a bogus header cannot stall the shipper for days. */
const MAX_RETRY_AFTER_MS = 3_600_000;

/** Milliseconds to wait from a Retry-After header (seconds, or an HTTP date). */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - nowMs);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}
