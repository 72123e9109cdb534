/**
 * Go's `strings` package behaviour where it differs from JS's (case mapping without
 * special-casing expansions, cutsets, SplitN, Replace with an empty needle, Fields,
 * unicode.IsSpace). Offsets are UTF-16 code units, equal to Go's byte offsets for ASCII.
 */

const GO_SPACE =
  "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

function isGoSpace(c: string): boolean {
  return GO_SPACE.includes(c);
}

/** strings.ToUpper: simple (one rune to one rune) mappings only, as Go does. */
export function goUpper(s: string): string {
  const u = s.toUpperCase();
  if (u.length === s.length) return u;
  let out = "";
  for (const c of s) {
    const m = c.toUpperCase();
    out += m.length === c.length ? m : c;
  }
  return out;
}

export function goLower(s: string): string {
  const l = s.toLowerCase();
  if (l.length === s.length) return l;
  let out = "";
  for (const c of s) {
    const m = c.toLowerCase();
    out += m.length === c.length ? m : c === "\u0130" ? "i" : c;
  }
  return out;
}

function trimLeftFn(s: string, drop: (c: string) => boolean): string {
  let i = 0;
  while (i < s.length) {
    const c = String.fromCodePoint(s.codePointAt(i) as number);
    if (!drop(c)) break;
    i += c.length;
  }
  return s.slice(i);
}

function trimRightFn(s: string, drop: (c: string) => boolean): string {
  let j = s.length;
  while (j > 0) {
    const low = s.charCodeAt(j - 1);
    const size = low >= 0xdc00 && low <= 0xdfff && j >= 2 ? 2 : 1;
    if (!drop(s.slice(j - size, j))) break;
    j -= size;
  }
  return s.slice(0, j);
}

export function goTrimSpace(s: string): string {
  return trimRightFn(trimLeftFn(s, isGoSpace), isGoSpace);
}

export function goTrimLeft(s: string, cutset: string): string {
  return cutset === "" ? s : trimLeftFn(s, (c) => cutset.includes(c));
}

export function goTrimRight(s: string, cutset: string): string {
  return cutset === "" ? s : trimRightFn(s, (c) => cutset.includes(c));
}

export function goTrim(s: string, cutset: string): string {
  return goTrimRight(goTrimLeft(s, cutset), cutset);
}

export function goTrimPrefix(s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

export function goTrimSuffix(s: string, suffix: string): string {
  return suffix !== "" && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
}

/** strings.SplitN / SplitAfterN: n < 0 means all, n == 0 an empty result. */
export function goSplit(s: string, sep: string, n: number, after: boolean): string[] {
  if (n === 0) return [];
  if (sep === "") {
    const runes = Array.from(s);
    if (n < 0 || n >= runes.length) return runes;
    return [...runes.slice(0, n - 1), runes.slice(n - 1).join("")];
  }
  const out: string[] = [];
  let start = 0;
  while (n < 0 || out.length < n - 1) {
    const i = s.indexOf(sep, start);
    if (i < 0) break;
    out.push(s.slice(start, after ? i + sep.length : i));
    start = i + sep.length;
  }
  out.push(s.slice(start));
  return out;
}

export function goFields(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (const c of s) {
    if (isGoSpace(c)) {
      if (cur !== "") out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (cur !== "") out.push(cur);
  return out;
}

/** strings.Replace: an empty `old` matches before every rune and at the end. */
export function goReplace(s: string, old: string, repl: string, n: number): string {
  if (n === 0 || old === repl) return s;
  if (old !== "") {
    if (n < 0) return s.split(old).join(repl);
    let out = "";
    let start = 0;
    for (let k = 0; k < n; k++) {
      const i = s.indexOf(old, start);
      if (i < 0) break;
      out += s.slice(start, i) + repl;
      start = i + old.length;
    }
    return out + s.slice(start);
  }
  const runes = Array.from(s);
  let out = "";
  let k = 0;
  for (const r of runes) {
    if (n < 0 || k < n) {
      out += repl;
      k++;
    }
    out += r;
  }
  if (n < 0 || k < n) out += repl;
  return out;
}

export function goIndexAny(s: string, chars: string): number {
  let i = 0;
  for (const c of s) {
    if (chars.includes(c)) return i;
    i += c.length;
  }
  return -1;
}

/**
 * CrowdSec's `Match(pattern, name)`: `*` matches any run, `?` one character. Simulated as
 * an NFA (CrowdSec recurses, exponentially on hostile input). Like CrowdSec, once the name
 * is consumed only "" or a single "*" may remain of the pattern.
 */
export function wildcardMatch(pattern: string, name: string): boolean {
  if (pattern === "") return name === "";
  const m = pattern.length;
  let cur = new Uint8Array(m + 1);
  let next = new Uint8Array(m + 1);
  cur[0] = 1;
  for (let si = 0; si < name.length; si++) {
    for (let pi = 0; pi < m; pi++) if (cur[pi] && pattern[pi] === "*") cur[pi + 1] = 1;
    next.fill(0);
    let any = false;
    for (let pi = 0; pi < m; pi++) {
      if (!cur[pi]) continue;
      const p = pattern[pi];
      if (p === "*") next[pi] = 1;
      else if (p === "?" || p === name[si]) next[pi + 1] = 1;
      else continue;
      any = true;
    }
    if (!any) return false;
    [cur, next] = [next, cur];
  }
  for (let pi = 0; pi <= m; pi++) {
    if (!cur[pi]) continue;
    const rest = m - pi;
    if (rest === 0 || (rest === 1 && pattern[pi] === "*")) return true;
  }
  return false;
}

const GO_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const GO_SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i;

/** strconv.ParseFloat(s, 64); undefined when Go would return an error. */
export function parseGoFloat(s: string): number | undefined {
  if (GO_FLOAT.test(s)) return Number(s);
  if (!GO_SPECIAL.test(s)) return undefined;
  const lower = s.toLowerCase();
  if (lower.endsWith("nan")) return Number.NaN;
  return lower.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

/** strconv.Atoi. */
export function parseGoInt(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number.parseInt(s, 10) : undefined;
}
