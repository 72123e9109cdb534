/**
 * Go-style durations (`10s`, `1h30m`, `500ms`), as CrowdSec scenario and profile files
 * write them. Internally every duration is a number of milliseconds.
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/y;

/**
 * Go's longest `time.Duration`, 2^63−1 ns (`2562047h47m16.854775807s`, about 292 years),
 * in whole milliseconds. Go's `time.ParseDuration` refuses anything longer, so no
 * CrowdSec bouncer or agent can read such a duration.
 */
export const MAX_GO_DURATION_MS = 9_223_372_036_854;

/** The longest decision or allowlist entry when no ceiling is configured: one year. */
export const DEFAULT_MAX_DECISION_MS = 8_760 * 3_600_000;

/**
 * Parses a Go duration; returns undefined when the text is not one, or is longer than
 * Go's maximum (as `time.ParseDuration` does). `d` (days) is accepted too.
 */
export function parseDuration(text: string): number | undefined {
  const ms = parseUnbounded(text);
  return ms !== undefined && Math.abs(ms) <= MAX_GO_DURATION_MS ? ms : undefined;
}

/** The duration however long (Infinity for absurd digit strings), or undefined. */
function parseUnbounded(text: string): number | undefined {
  let s = text.trim();
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const m = PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  }
  return sign * total;
}

/** Formats milliseconds as Go's `time.Duration.String()` does: `3h59m12s`, `1.5s`, `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  const neg = ms < 0;
  let rest = Math.abs(ms);
  if (rest < 1000) return `${neg ? "-" : ""}${trimZeros(rest)}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = trimZeros(rest / 1000);
  let out = "";
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  out += `${s}s`;
  return (neg ? "-" : "") + out;
}

function trimZeros(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(9)));
}

/**
 * The bound every decision and allowlist entry is held to on its way into the Ledger:
 * positive, and at most `maxMs` (a deployment's ceiling, itself at most Go's maximum).
 * `setting` names where the ceiling comes from, for the message.
 */
export interface DurationBound {
  maxMs: number;
  setting: string;
}

export type BoundedDuration = { ok: true; ms: number } | { ok: false; message: string };

/** A Go duration text checked against the bound; the message says what is wrong and the fix. */
export function checkDuration(text: string, bound: DurationBound): BoundedDuration {
  const q = JSON.stringify(text);
  const ms = parseUnbounded(text);
  if (ms === undefined) {
    return { ok: false, message: `${q} is not a Go duration; write it like 4h, 30m or 1h30m` };
  }
  return checkMs(ms, q, bound);
}

/** Milliseconds (from an expiry time, say) checked against the bound; `what` names the value. */
export function checkMs(ms: number, what: string, bound: DurationBound): BoundedDuration {
  if (!(ms > 0))
    return { ok: false, message: `${what} is not positive; give a time ahead, like 4h` };
  const max = formatDuration(bound.maxMs);
  if (ms > MAX_GO_DURATION_MS) {
    return {
      ok: false,
      message: `${what} is longer than Go's longest duration (2562047h47m16s), which no CrowdSec bouncer can read; the longest allowed here is ${max} (${bound.setting})`,
    };
  }
  if (ms > bound.maxMs) {
    return {
      ok: false,
      message: `${what} is longer than the ceiling of ${max} (${bound.setting}); give ${max} or less, or raise ${bound.setting}`,
    };
  }
  return { ok: true, ms };
}

/**
 * A deployment's ceiling from its setting's text (a Go duration): the default when unset;
 * a value that is no positive Go duration falls back to the default with a problem to log.
 */
export function durationCeiling(
  text: string | undefined,
  setting: string,
): { bound: DurationBound; problem?: string } {
  const fallback = { maxMs: DEFAULT_MAX_DECISION_MS, setting };
  const t = text?.trim();
  if (!t) return { bound: fallback };
  const ms = parseDuration(t);
  if (ms !== undefined && ms > 0) return { bound: { maxMs: ms, setting } };
  return {
    bound: fallback,
    problem: `${setting}=${JSON.stringify(t)} is not a positive Go duration of at most 2562047h; using ${formatDuration(DEFAULT_MAX_DECISION_MS)}`,
  };
}
