import { z } from "zod";

/**
 * Durations on the wire are Go duration strings, because CrowdSec bouncers parse them
 * with Go's `time.ParseDuration`: units ns, us, µs, ms, s, m, h (no days), optional sign.
 */

const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$|^[-+]?0$/;

export const goDurationSchema = z
  .string()
  .regex(GO_DURATION, { error: "not a Go duration (like 4h, 1h30m, 3h59m12.5s)" });

/**
 * The compact Go form used in replay output: zero units left out (`4h`, `1h30m`,
 * `1m30s`, `1.5s`, `500ms`, `0s`). Go's `time.ParseDuration` reads every form this writes,
 * and so does core's `parseDuration`, giving back the same milliseconds.
 */
export function formatCompactDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new RangeError(`duration is not finite: ${ms}`);
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${trimZeros(rest)}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  let out = sign;
  if (h > 0) out += `${h}h`;
  if (m > 0) out += `${m}m`;
  if (rest > 0) out += `${trimZeros(rest / 1000)}s`;
  return out;
}

function trimZeros(n: number): string {
  return String(Number(n.toFixed(9)));
}
