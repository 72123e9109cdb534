/**
 * Literals an RE2 pattern cannot match without: for `/tmui/login.jsp/..;/tmui/[^.]+`,
 * "/tmui/login" (and others) must appear in any string it matches. Used for guards
 * (derive.ts), so the analysis only ever under-approximates: when in doubt a character is
 * dropped, a run is cut, or the pattern gets no literal at all. What it knows of the
 * syntax: escaped punctuation is literal; classes, groups, `.`, anchors and other escapes
 * end a run; a quantifier makes its character optional (`?`, `*`, `{0,…}`) or ends the run
 * after it (`+`, `{n,…}`); a top-level `|` needs a literal in every branch. Only ASCII
 * characters go into literals, so a case-insensitive comparison of ASCII text is enough.
 */

export interface PatternLiterals {
  /** One literal per top-level alternative: a match contains at least one of them. */
  literals: string[];
  /** The pattern sets flags (`(?i)`…): its letters may match other cases, even non-ASCII ones. */
  flags: boolean;
}

/** Required literals of `pattern` (RE2 syntax), or null when some branch has none. */
export function patternLiterals(pattern: string): PatternLiterals | null {
  if (pattern.includes("\\Q")) return null;
  const branches = splitTop(pattern);
  if (!branches) return null;
  const literals: string[] = [];
  for (const b of branches) {
    const lit = longest(runs(b));
    if (lit === "") return null;
    literals.push(lit);
  }
  return { literals, flags: pattern.includes("(?") };
}

function longest(list: readonly string[]): string {
  let best = "";
  for (const r of list) if (r.length > best.length) best = r;
  return best;
}

/** Index after the class starting at `i` (`[`), or -1 when unterminated. */
function skipClass(p: string, i: number): number {
  let k = i + 1;
  if (p[k] === "^") k++;
  if (p[k] === "]") k++;
  while (k < p.length) {
    const c = p[k];
    if (c === "\\") k += 2;
    else if (c === "[" && p[k + 1] === ":") {
      const end = p.indexOf(":]", k + 2);
      if (end < 0) return -1;
      k = end + 2;
    } else if (c === "]") return k + 1;
    else k++;
  }
  return -1;
}

/** Index after the group starting at `i` (`(`), or -1 when unbalanced. */
function skipGroup(p: string, i: number): number {
  let depth = 0;
  let k = i;
  while (k < p.length) {
    const c = p[k];
    if (c === "\\") k += 2;
    else if (c === "[") {
      k = skipClass(p, k);
      if (k < 0) return -1;
    } else {
      if (c === "(") depth++;
      else if (c === ")" && --depth === 0) return k + 1;
      k++;
    }
  }
  return -1;
}

/** The pattern's top-level alternatives, or null when its brackets do not balance. */
function splitTop(p: string): string[] | null {
  const out: string[] = [];
  let start = 0;
  let k = 0;
  while (k < p.length) {
    const c = p[k];
    if (c === "\\") k += 2;
    else if (c === "[" || c === "(") {
      k = c === "[" ? skipClass(p, k) : skipGroup(p, k);
      if (k < 0) return null;
    } else if (c === "|") {
      out.push(p.slice(start, k));
      start = ++k;
    } else k++;
  }
  out.push(p.slice(start));
  return out;
}

/** `{n}`, `{n,}` or `{n,m}` at `i`: its end and whether n is 0; null when not a repeat. */
function repeatAt(p: string, i: number): { end: number; optional: boolean } | null {
  const m = /^\{(\d+)(,\d*)?\}/.exec(p.slice(i, i + 24));
  return m ? { end: i + m[0].length, optional: Number(m[1]) === 0 } : null;
}

/** A literal character: ASCII, not a metacharacter; escaped ASCII punctuation counts. */
function literalAt(p: string, i: number): { char: string; end: number } | null {
  const c = p.charCodeAt(i);
  if (c === 92) {
    const e = p.charCodeAt(i + 1);
    const punct = e < 128 && !/[0-9A-Za-z]/.test(p.charAt(i + 1));
    return punct && e >= 32 ? { char: p.charAt(i + 1), end: i + 2 } : null;
  }
  if (c < 32 || c >= 127 || "[](){}.*+?^$|".includes(p.charAt(i))) return null;
  return { char: p.charAt(i), end: i + 1 };
}

/** Index after the non-literal element at `i` (class, group, escape or metacharacter). */
function skipOther(p: string, i: number): number {
  const c = p[i];
  if (c === "[") return skipClass(p, i);
  if (c === "(") return skipGroup(p, i);
  if (c === "\\") {
    const e = p[i + 1];
    if ((e === "p" || e === "P") && p[i + 2] === "{") {
      const end = p.indexOf("}", i + 3);
      return end < 0 ? -1 : end + 1;
    }
    if (e === "p" || e === "P") return i + 3;
    // `\x41`, `\x{263a}` and octal `\101` spell one character over several.
    if (e === "x") {
      if (p[i + 2] !== "{") return i + 4;
      const end = p.indexOf("}", i + 3);
      return end < 0 ? -1 : end + 1;
    }
    let k = i + 2;
    if (e !== undefined && e >= "0" && e <= "7") {
      while (k < i + 4 && (p[k] ?? "") >= "0" && (p[k] ?? "") <= "7") k++;
    }
    return k;
  }
  const rep = c === "{" ? repeatAt(p, i) : null;
  return rep ? rep.end : i + 1;
}

/** The maximal literal runs of one alternative (a concatenation). */
function runs(p: string): string[] {
  const out: string[] = [];
  let run = "";
  let k = 0;
  while (k < p.length) {
    const lit = literalAt(p, k);
    if (!lit) {
      out.push(run);
      run = "";
      k = skipOther(p, k);
      if (k < 0) return [];
      k = skipQuantifier(p, k);
      continue;
    }
    k = lit.end;
    const q = quantifierAt(p, k);
    if (!q) {
      run += lit.char;
      continue;
    }
    out.push(q.optional ? run : run + lit.char);
    run = "";
    k = q.end;
  }
  out.push(run);
  return out;
}

/** A quantifier at `i` (with its lazy `?`): its end and whether it allows zero. */
function quantifierAt(p: string, i: number): { end: number; optional: boolean } | null {
  const c = p[i];
  let q: { end: number; optional: boolean } | null = null;
  if (c === "*" || c === "?") q = { end: i + 1, optional: true };
  else if (c === "+") q = { end: i + 1, optional: false };
  // A `{` that is not a valid repeat is a literal brace in RE2; treating it as an optional
  // quantifier only drops characters, which is always safe.
  else if (c === "{") q = repeatAt(p, i) ?? { end: i, optional: true };
  if (q && p[q.end] === "?") q.end++;
  return q;
}

function skipQuantifier(p: string, i: number): number {
  const q = quantifierAt(p, i);
  return q ? Math.max(q.end, i) : i;
}
