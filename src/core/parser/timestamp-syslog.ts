/**
 * Log timestamps to `evt.Time` (ms since epoch) and CrowdSec's `MarshaledTime`, the
 * RFC 3339 text Go's `time.Time.MarshalText` writes: fraction with trailing zeros cut,
 * the line's own offset, `Z` for a zero offset.
 *
 * Documented rules (time is an input, never a clock read here):
 * - a yearless syslog stamp (`Feb 12 14:10:21`) gets `opts.year`, else the UTC year of
 *   `opts.now` (CrowdSec uses the current year);
 * - a stamp without offset is wall-clock time in `opts.timezone` (IANA name, default
 *   `UTC`); a stamp with an offset keeps it;
 * - a stamp that is no real date (`Apr 31`, `25:00:00`) makes the line unparsed.
 * An unknown `opts.timezone` is a caller bug (validate it with `isValidTimezone`,
 * timezone.ts): it throws.
 */

import { zoneOffsetAt } from "./timezone";

export interface LogTime {
  ms: number;
  marshaled: string;
}

export interface ZoneOptions {
  now: number;
  year?: number;
  timezone?: string;
}

const MONTHS: ReadonlyMap<string, number> = new Map(
  ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map(
    (m, i) => [m, i],
  ),
);
// Go checks yearless days against year 0, a leap year: `Feb 29` is accepted everywhere.
const DAYS_YEAR0 = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Wall-clock fields as written in the log; `frac` is the digits after the seconds. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  frac: string;
}

/**
 * A syslog stamp (`Feb 12 14:10:21`, `Feb  2 …`, `Aug 03 …`); `year` when the line
 * carries one (`Feb 12 2024 14:10:21`), else the documented rule.
 */
export function syslogTime(
  month: string,
  day: string,
  hms: readonly [string, string, string],
  frac: string,
  opts: ZoneOptions,
  year?: string,
): LogTime | undefined {
  const m = MONTHS.get(month);
  const d = Number(day);
  const y = year !== undefined ? Number(year) : (opts.year ?? new Date(opts.now).getUTCFullYear());
  const days = year !== undefined ? daysIn(y, m ?? 0) : (DAYS_YEAR0[m ?? 0] as number);
  if (m === undefined || d < 1 || d > days) return undefined;
  const wall = wallClock(y, m, d, hms, frac, year !== undefined);
  return wall ? inZone(wall, opts.timezone ?? "UTC") : undefined;
}

/** An RFC 3339 / ISO 8601 stamp; `zone` is `Z`, `+01:00`, `+0100`, `+01` or "". */
export function isoTime(
  ymd: readonly [string, string, string],
  hms: readonly [string, string, string],
  frac: string,
  zone: string,
  opts: ZoneOptions,
): LogTime | undefined {
  const [y, mo, d] = ymd.map(Number) as [number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo - 1)) return undefined;
  const wall = wallClock(y, mo - 1, d, hms, frac, true);
  if (!wall) return undefined;
  if (zone === "") return inZone(wall, opts.timezone ?? "UTC");
  const offset = zoneOffsetMinutes(zone);
  return offset === undefined ? undefined : withOffset(wall, offset);
}

/** CLF `02/Jan/2006:15:04:05 -0700`. */
export function clfTime(text: string): LogTime | undefined {
  const m = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})$/.exec(text);
  if (!m) return undefined;
  const month = MONTHS.get(m[2] as string);
  const day = Number(m[1]);
  const year = Number(m[3]);
  if (month === undefined || day < 1 || day > daysIn(year, month)) return undefined;
  const wall = wallClock(
    year,
    month,
    day,
    [m[4], m[5], m[6]] as [string, string, string],
    "",
    true,
  );
  const offset = zoneOffsetMinutes(m[7] as string);
  return wall && offset !== undefined ? withOffset(wall, offset) : undefined;
}

/** Unix seconds (`1700000000`, `1700000000.25`) or, with `unit` ms, integer milliseconds. */
export function unixTime(text: string, unit: "s" | "ms"): LogTime | undefined {
  const m = unit === "s" ? /^(\d{1,11})(?:\.(\d{1,9}))?$/.exec(text) : /^(\d{1,14})$/.exec(text);
  if (!m) return undefined;
  const whole = Number(m[1]);
  const seconds = unit === "s" ? whole : Math.floor(whole / 1000);
  const frac = unit === "s" ? (m[2] ?? "") : String(whole % 1000).padStart(3, "0");
  const d = new Date(seconds * 1000);
  const wall: WallClock = {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth(),
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    frac,
  };
  return withOffset(wall, 0);
}

function wallClock(
  year: number,
  month: number,
  day: number,
  hms: readonly [string, string, string],
  frac: string,
  strictYear: boolean,
): WallClock | undefined {
  const [hour, minute, second] = hms.map(Number) as [number, number, number];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (strictYear && (year < 1 || year > 9999)) return undefined;
  return { year, month, day, hour, minute, second, frac: frac.slice(0, 9) };
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** `Z` → 0, `+01:00` / `+0100` / `+01` → 60; anything else undefined. */
function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone === "Z" || zone === "z") return 0;
  const m = /^([+-])(\d{2})(?::?(\d{2}))?$/.exec(zone);
  if (!m) return undefined;
  const h = Number(m[2]);
  const min = Number(m[3] ?? "0");
  if (h > 23 || min > 59) return undefined;
  return (m[1] === "-" ? -1 : 1) * (h * 60 + min);
}

function wallMs(w: WallClock): number {
  // Date.UTC normalises like Go's AddDate (yearless Feb 29 in 2026 becomes Mar 1) but
  // reads years 0-99 as 1900-1999, so those take the slow path.
  if (w.year >= 100) return Date.UTC(w.year, w.month, w.day, w.hour, w.minute, w.second);
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d.getTime();
}

function withOffset(w: WallClock, offsetMin: number, local = wallMs(w)): LogTime {
  const fracMs = w.frac === "" ? 0 : Math.floor(Number(`0.${w.frac}`) * 1000);
  return { ms: local - offsetMin * 60_000 + fracMs, marshaled: marshal(local, w.frac, offsetMin) };
}

function inZone(w: WallClock, zone: string): LogTime {
  if (zone === "UTC") return withOffset(w, 0);
  const local = wallMs(w);
  return withOffset(w, localOffsetMinutes(zone, local), local);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function marshal(localMs: number, frac: string, offsetMin: number): string {
  const d = new Date(localMs);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  const time = `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  const digits = frac.replace(/0+$/, "");
  const fraction = digits === "" ? "" : `.${digits}`;
  if (offsetMin === 0) return `${date}T${time}${fraction}Z`;
  const abs = Math.abs(offsetMin);
  const sign = offsetMin < 0 ? "-" : "+";
  return `${date}T${time}${fraction}${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/** Per zone: offset in minutes by wall-clock hour (ms / 3.6e6); logs are mostly in order. */
const byHour = new Map<string, Map<number, number>>();

/** Offset of `zone` for a wall-clock time (as UTC ms), resolving DST gaps like Go. */
function localOffsetMinutes(zone: string, local: number): number {
  let c = byHour.get(zone);
  if (!c) {
    c = new Map();
    byHour.set(zone, c);
  }
  const hour = Math.floor(local / 3_600_000);
  const cached = c.get(hour);
  if (cached !== undefined) return cached;
  const guess = Math.round(zoneOffsetAt(zone, local) / 60);
  const second = Math.round(zoneOffsetAt(zone, local - guess * 60_000) / 60);
  if (c.size > 4096) c.clear();
  c.set(hour, second);
  return second;
}
