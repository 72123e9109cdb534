import { type GoFields, goParse, LAYOUTS } from "./timestamp-http-layout";
import { zoneOffsetAt } from "./timezone";
import type { ParseOptions } from "./types";

/**
 * CrowdSec's dateparse-enrich for `evt.StrTime`: the first Go layout that parses wins;
 * `MarshaledTime` is Go's `MarshalText` (RFC 3339, fraction with trailing zeros cut, the
 * value's own offset, `Z` for a zero offset). A value no layout parses falls back to a
 * Unix timestamp, then to "now", exactly as CrowdSec does, except that "now" is the
 * caller's `opts.now`: time is an input. A value without offset is wall-clock time in
 * `opts.timezone` (default UTC, which is what CrowdSec assumes).
 */
export interface HttpTime {
  /** ms since epoch: `evt.Time`. */
  ms: number;
  /** `evt.Enriched.MarshaledTime` and `evt.Meta.timestamp`. */
  marshaled: string;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

function pad4(n: number): string {
  return n < 10 ? `000${n}` : n < 100 ? `00${n}` : n < 1000 ? `0${n}` : `${n}`;
}

function fractionText(nanos: number): string {
  if (nanos === 0) return "";
  return `.${String(nanos).padStart(9, "0").replace(/0+$/, "")}`;
}

function offsetText(seconds: number): string {
  if (seconds === 0) return "Z";
  const abs = Math.abs(seconds);
  return `${seconds < 0 ? "-" : "+"}${pad2(Math.floor(abs / 3600))}:${pad2(Math.floor(abs / 60) % 60)}`;
}

/** Go's RFC 3339 text of an instant shown at a fixed offset. */
function marshalTime(ms: number, nanos: number, offsetSeconds: number): string {
  const d = new Date(ms + offsetSeconds * 1000);
  const date = `${pad4(d.getUTCFullYear())}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  return `${date}T${time}${fractionText(nanos)}${offsetText(offsetSeconds)}`;
}

const FOUR_CENTURIES_MS = 146097 * 86400000;

/** Date.UTC without its 0–99 → 1900s year mapping (400 Gregorian years are whole days). */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  return y >= 100
    ? Date.UTC(y, mo, d, h, mi, s)
    : Date.UTC(y + 400, mo, d, h, mi, s) - FOUR_CENTURIES_MS;
}

function yearOf(f: GoFields, opts: ParseOptions): number {
  return f.year !== 0 ? f.year : (opts.year ?? new Date(opts.now).getUTCFullYear());
}

function toHttpTime(f: GoFields, opts: ParseOptions): HttpTime | undefined {
  const wall = utcMs(yearOf(f, opts), f.month - 1, f.day, f.hour, f.minute, f.second);
  const tz = opts.timezone;
  let offset = f.offset;
  if (offset === undefined) {
    offset = tz && tz !== "UTC" ? zoneOffsetAt(tz, wall - zoneOffsetAt(tz, wall) * 1000) : 0;
  }
  const ms = wall - offset * 1000;
  const zero = ms === -62135596800000 && f.nanos === 0; // Go's IsZero: year 1, Jan 1, UTC
  const shown = new Date(wall).getUTCFullYear();
  if (zero || shown < 0 || shown > 9999) return undefined;
  return { ms: ms + Math.floor(f.nanos / 1e6), marshaled: marshalTime(ms, f.nanos, offset) };
}

/** CrowdSec's ParseUnixTime fallback: integer seconds before any `.`, positive. */
function unixTime(s: string): HttpTime | undefined {
  const m = /^[+-]?\d+/.exec(s.split(".")[0] ?? "");
  if (!m || m[0].length !== (s.split(".")[0] ?? "").length) return undefined;
  const secs = Number(m[0]);
  if (!(secs > 0) || secs > 253402300799) return undefined;
  return { ms: secs * 1000, marshaled: marshalTime(secs * 1000, 0, 0) };
}

const MONTH_CODES = "janfebmaraprmayjunjulaugsepoctnovdec";
const MONTH_NUMS = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"];

function num2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (month 1-12). */
function epochDays(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// The access-log fast path keeps the last day seen: consecutive lines share date and offset.
let dayPrefix = "";
let daySuffix = "";
let dayBase = 0;
let dayHead = "";
let dayOffset = "";

function monthOf(s: string): number {
  const i = MONTH_CODES.indexOf(s.slice(3, 6).toLowerCase());
  return i % 3 === 0 ? i / 3 + 1 : 0;
}

/** Validates and caches the date, year and offset of a 26-character access-log stamp. */
function primeDay(s: string): boolean {
  const day = num2(s, 0);
  const month = monthOf(s);
  const yh = num2(s, 7);
  const yl = num2(s, 9);
  const oh = num2(s, 22);
  const om = num2(s, 24);
  const sign = s[21] === "-" ? -1 : s[21] === "+" ? 1 : 0;
  if (s[2] !== "/" || s[6] !== "/" || s[11] !== ":" || s[20] !== " " || sign === 0) return false;
  if (month === 0 || yh < 0 || yl < 0 || day < 1 || oh < 0 || oh > 24 || om < 0 || om > 60)
    return false;
  const year = yh * 100 + yl;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const dim = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  // Go gives year 0 the current year: left to the general path.
  if (year === 0 || day > dim) return false;
  const offset = sign * (oh * 3600 + om * 60);
  dayPrefix = s.slice(0, 12);
  daySuffix = s.slice(20);
  dayBase = (epochDays(year, month, day) * 86400 - offset) * 1000;
  dayHead = `${s.slice(7, 11)}-${MONTH_NUMS[month - 1]}-${s.slice(0, 2)}T`;
  dayOffset = offsetText(offset);
  return true;
}

/**
 * The access-log stamp `02/Jan/2006:15:04:05 -0700` in its canonical 26-character shape,
 * read by index; anything else (or out of range) goes through the general layout parser.
 */
export function httpDate(s: string): HttpTime | undefined {
  if (s.length !== 26) return undefined;
  if (!(s.startsWith(dayPrefix) && s.endsWith(daySuffix) && dayPrefix !== "") && !primeDay(s))
    return undefined;
  const h = num2(s, 12);
  const min = num2(s, 15);
  const sec = num2(s, 18);
  if (h < 0 || h > 23 || min < 0 || min > 59 || sec < 0 || sec > 59) return undefined;
  if (s.charCodeAt(14) !== 58 || s.charCodeAt(17) !== 58) return undefined;
  const ms = dayBase + (h * 3600 + min * 60 + sec) * 1000;
  if (ms === -62135596800000) return undefined; // Go's zero time counts as unparsed
  return { ms, marshaled: dayHead + s.slice(12, 20) + dayOffset };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

let lastText = "";
let lastZone: string | undefined;
let lastTime: HttpTime | undefined;
let lastFastText = "";
let lastFast: HttpTime | undefined;

/** `evt.StrTime` → time, or undefined when nothing parses (the caller then uses `opts.now`). */
export function parseStrTime(text: string, opts: ParseOptions): HttpTime | undefined {
  // Access logs repeat the same second on consecutive lines; yearless layouts depend on
  // `now`, so only dated results are cached.
  if (text === lastText && opts.timezone === lastZone && lastTime) return lastTime;
  if (text === lastFastText) return lastFast;
  const fast = httpDate(text);
  if (fast) {
    // The access-log form carries its own offset: its result depends on the text alone.
    lastFastText = text;
    lastFast = fast;
    return fast;
  }
  return layoutTime(text, opts) ?? unixTime(text);
}

/** The layout list alone (no access-log fast path); exported to check the fast path against it. */
export function layoutTime(text: string, opts: ParseOptions): HttpTime | undefined {
  for (const layout of LAYOUTS) {
    const f = goParse(text, layout);
    if (!f) continue;
    const t = toHttpTime(f, opts);
    if (!t) continue;
    if (f.year !== 0) {
      lastText = text;
      lastZone = opts.timezone;
      lastTime = t;
    }
    return t;
  }
  return undefined;
}

/** "Now" as CrowdSec marshals it when no layout parses. */
export function nowTime(now: number): HttpTime {
  const ms = Math.floor(now);
  return { ms, marshaled: marshalTime(ms - (ms % 1000), (ms % 1000) * 1e6, 0) };
}
