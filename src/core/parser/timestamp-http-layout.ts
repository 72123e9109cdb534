/**
 * The Go `time.Parse` layouts CrowdSec's dateparse-enrich tries, in its order, with Go's
 * matching rules: fixed-width fields where Go wants two digits, a layout space matching
 * a run of spaces, month and day names matched case-insensitively, an optional fraction
 * after the seconds, and the whole input consumed.
 */

export interface GoFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fraction of a second, nanoseconds. */
  nanos: number;
  /** Offset east of UTC in seconds, or undefined when the value carries none. */
  offset: number | undefined;
  /** The layout had no year (Go's year 0). */
  yearless: boolean;
}

type Tok =
  | "2006"
  | "01"
  | "Jan"
  | "Mon"
  | "02"
  | "2"
  | "15"
  | "04"
  | "05"
  | "-0700"
  | "Z07:00"
  | "MST"
  | ".000000"
  | ".999999999"
  | { lit: string };

const l = (lit: string): Tok => ({ lit });

/** dateparse-enrich's layouts (RFC 3339 first), as Go tokenises them. */
export const LAYOUTS: readonly (readonly Tok[])[] = [
  ["2006", l("-"), "01", l("-"), "02", l("T"), "15", l(":"), "04", l(":"), "05", "Z07:00"],
  ["02", l("/"), "Jan", l("/"), "2006", l(":"), "15", l(":"), "04", l(":"), "05", l(" "), "-0700"],
  ["Mon", l(" "), "Jan", l(" "), "2", l(" "), "15", l(":"), "04", l(":"), "05", l(" "), "2006"],
  [
    "02",
    l("-"),
    "Jan",
    l("-"),
    "2006",
    l(" "),
    "15",
    l(":"),
    "04",
    l(":"),
    "05",
    l(" europe/paris"),
  ],
  ["01", l("/"), "02", l("/"), "2006", l(" "), "15", l(":"), "04", l(":"), "05"],
  [
    "2006",
    l("-"),
    "01",
    l("-"),
    "02",
    l(" "),
    "15",
    l(":"),
    "04",
    l(":"),
    "05",
    ".999999999",
    l(" "),
    "-0700",
    l(" "),
    "MST",
  ],
  ["Jan", l("  "), "2", l(" "), "15", l(":"), "04", l(":"), "05"],
  [
    "Mon",
    l(" "),
    "Jan",
    l(" "),
    "02",
    l(" "),
    "15",
    l(":"),
    "04",
    l(":"),
    "05",
    ".000000",
    l(" "),
    "2006",
  ],
  ["2006", l("-"), "01", l("-"), "02", l("T"), "15", l(":"), "04", l(":"), "05", "Z07:00"],
  ["2006", l("/"), "01", l("/"), "02"],
  ["2006", l("/"), "01", l("/"), "02", l(" "), "15", l(":"), "04"],
  ["2006", l("-"), "01", l("-"), "02"],
  ["2006", l("-"), "01", l("-"), "02", l(" "), "15", l(":"), "04"],
  ["2006", l("/"), "01", l("/"), "02", l(" "), "15", l(":"), "04", l(":"), "05"],
  ["2006", l("-"), "01", l("-"), "02", l(" "), "15", l(":"), "04", l(":"), "05"],
  ["2006", l("-"), "01", l("-"), "02", l("T"), "15", l(":"), "04", l(":"), "05"],
];

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Go's getnum: one or two digits, exactly two when `fixed`. Returns [value, next] or undefined. */
function getnum(s: string, i: number, fixed: boolean): [number, number] | undefined {
  const a = digit(s, i);
  if (a < 0) return undefined;
  const b = digit(s, i + 1);
  if (b < 0) return fixed ? undefined : [a, i + 1];
  return [a * 10 + b, i + 2];
}

/** Go's skip: a layout space matches a run of spaces (or the end of the value). */
function skip(s: string, i: number, lit: string): number | undefined {
  let j = 0;
  while (j < lit.length) {
    if (lit[j] === " ") {
      if (i < s.length && s[i] !== " ") return undefined;
      while (lit[j] === " ") j++;
      while (s[i] === " ") i++;
      continue;
    }
    if (s[i] !== lit[j]) return undefined;
    i++;
    j++;
  }
  return i;
}

function sep(c: string | undefined): boolean {
  return c === "." || c === ",";
}

function nameIndex(s: string, i: number, names: readonly string[]): number {
  return names.indexOf(s.slice(i, i + 3).toLowerCase());
}

/** Digits after the `.`/`,` at `i`: all of them, or exactly `n`. */
function fraction(s: string, i: number, f: GoFields, n = Number.POSITIVE_INFINITY): number {
  let j = i + 1;
  let nanos = 0;
  let scale = 100_000_000;
  while (j - i - 1 < n && digit(s, j) >= 0) {
    nanos += digit(s, j) * scale;
    scale = Math.floor(scale / 10);
    j++;
  }
  f.nanos = nanos;
  return j;
}

function offset(s: string, i: number, colon: boolean, f: GoFields): number | undefined {
  const sign = s[i];
  if (sign !== "+" && sign !== "-") return undefined;
  const hh = getnum(s, i + 1, true);
  const mmAt = colon ? i + 4 : i + 3;
  if (!hh || (colon && s[i + 3] !== ":")) return undefined;
  const mm = getnum(s, mmAt, true);
  if (!mm || hh[0] > 24 || mm[0] > 60) return undefined;
  f.offset = (sign === "-" ? -1 : 1) * (hh[0] * 3600 + mm[0] * 60);
  return mm[1];
}

function zoneName(s: string, i: number): number | undefined {
  if (s.startsWith("UTC", i)) return i + 3;
  let j = i;
  while (j < s.length && j - i < 5 && s.charCodeAt(j) >= 65 && s.charCodeAt(j) <= 90) j++;
  return j - i >= 3 ? j : undefined;
}

function field(s: string, i: number, tok: Tok, next: Tok | undefined, f: GoFields) {
  if (typeof tok === "object") return skip(s, i, tok.lit);
  const set = (key: "month" | "day" | "hour" | "minute" | "second", r?: [number, number]) => {
    if (r) f[key] = r[0];
    return r?.[1];
  };
  switch (tok) {
    case "2006": {
      // Go's atoi on the next four bytes: an optional sign, then digits only.
      const y = /^[+-]?\d+$/.exec(s.slice(i, i + 4));
      if (!y || i + 4 > s.length) return undefined;
      f.year = Number(y[0]);
      return i + 4;
    }
    case "01":
      return set("month", getnum(s, i, true));
    case "Jan": {
      const m = nameIndex(s, i, MONTHS);
      f.month = m + 1;
      return m < 0 ? undefined : i + 3;
    }
    case "Mon":
      return nameIndex(s, i, DAYS) < 0 ? undefined : i + 3;
    case "02":
      return set("day", getnum(s, i, true));
    case "2":
      return set("day", getnum(s, i, false));
    case "15":
      return set("hour", getnum(s, i, false));
    case "04":
      return set("minute", getnum(s, i, true));
    case "05": {
      const end = set("second", getnum(s, i, true));
      const fracNext = next === ".000000" || next === ".999999999";
      if (end === undefined || fracNext || !sep(s[end]) || digit(s, end + 1) < 0) return end;
      return fraction(s, end, f);
    }
    case ".000000":
      return sep(s[i]) && /^\d{6}$/.test(s.slice(i + 1, i + 7)) ? fraction(s, i, f, 6) : undefined;
    case ".999999999":
      return sep(s[i]) && digit(s, i + 1) >= 0 ? fraction(s, i, f) : i;
    case "-0700":
      return offset(s, i, false, f);
    case "Z07:00":
      if (s[i] !== "Z") return offset(s, i, true, f);
      f.offset = 0;
      return i + 1;
    case "MST":
      return zoneName(s, i);
  }
}

const DAYS_IN = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function valid(f: GoFields): boolean {
  const leap = f.year % 4 === 0 && (f.year % 100 !== 0 || f.year % 400 === 0);
  const dim = f.month === 2 && leap ? 29 : (DAYS_IN[f.month - 1] ?? 0);
  return (
    f.month >= 1 &&
    f.month <= 12 &&
    f.day >= 1 &&
    f.day <= dim &&
    f.hour < 24 &&
    f.minute < 60 &&
    f.second < 60
  );
}

/** Parses `s` with one layout the way Go's `time.Parse` does, or returns undefined. */
export function goParse(s: string, layout: readonly Tok[]): GoFields | undefined {
  const f: GoFields = {
    year: 0,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    nanos: 0,
    offset: undefined,
    yearless: !layout.includes("2006"),
  };
  let i: number | undefined = 0;
  for (let k = 0; k < layout.length && i !== undefined; k++) {
    i = field(s, i, layout[k] as Tok, layout[k + 1], f);
  }
  return i === s.length && valid(f) ? f : undefined;
}
