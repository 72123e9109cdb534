/**
 * The token bucket CrowdSec's leaky buckets are built on (its fork of Go's
 * golang.org/x/time/rate), driven by event time. Capacity C is the burst; one token
 * comes back every `leakspeed`. An event is allowed while a whole token is available,
 * so the (C+1)-th event held in the bucket overflows it.
 *
 * The arithmetic follows Go's float64/nanosecond steps exactly (JavaScript numbers are
 * the same IEEE doubles), so boundary cases (an event exactly one leak later) decide the
 * same way CrowdSec does.
 */

const NS_PER_MS = 1e6;
const NS_PER_S = 1e9;

/** Go's `rate.Every(leakspeed)`: tokens per second. */
export function limitFromLeakspeed(leakspeedMs: number): number {
  const ns = leakspeedMs * NS_PER_MS;
  const seconds = Math.trunc(ns / NS_PER_S) + (ns % NS_PER_S) / NS_PER_S;
  return 1 / seconds;
}

/** Go's `Limit.durationFromTokens`, in nanoseconds (truncated like a Duration conversion). */
function durationFromTokens(tokens: number, limit: number): number {
  return Math.trunc(NS_PER_S * (tokens / limit));
}

/** Go's `Limit.tokensFromDuration`, splitting seconds and nanoseconds as Go does. */
function tokensFromDuration(ns: number, limit: number): number {
  const sec = Math.trunc(ns / NS_PER_S) * limit;
  const nsec = (ns % NS_PER_S) * limit;
  return sec + nsec / NS_PER_S;
}

/** Tokens a fresh limiter holds: Go starts from zero and advances from the zero time, capped. */
export function initialTokens(burst: number, limit: number): number {
  const tokens = tokensFromDuration(durationFromTokens(burst, limit), limit);
  return Math.min(tokens, burst);
}

export interface TokenLevel {
  tokens: number;
  tokensAt: number;
}

/** The level at `now` without consuming anything (Go's `advance`). */
export function tokensAt(level: TokenLevel, burst: number, limit: number, now: number): number {
  const last = Math.min(now, level.tokensAt);
  const maxElapsed = durationFromTokens(burst - level.tokens, limit);
  let elapsed = (now - last) * NS_PER_MS;
  if (elapsed > maxElapsed) elapsed = maxElapsed;
  const tokens = level.tokens + tokensFromDuration(elapsed, limit);
  return Math.min(tokens, burst);
}

/**
 * Go's `AllowN(now, 1)`: takes one token if one is available at `now`. Mutates `level`,
 * which callers pass as their private working copy.
 */
export function allow(level: TokenLevel, burst: number, limit: number, now: number): boolean {
  const last = Math.min(now, level.tokensAt);
  const tokens = tokensAt(level, burst, limit, now) - 1;
  const wait = tokens < 0 ? durationFromTokens(-tokens, limit) : 0;
  if (burst >= 1 && wait <= 0) {
    level.tokens = tokens;
    level.tokensAt = now;
    return true;
  }
  level.tokensAt = last;
  return false;
}
