import { RE2JS } from "re2js";

/**
 * CrowdSec's grok patterns, ported by hand to native regular expressions. A piece is the
 * regex source of one grok pattern plus the semantic captures grok would report for it.
 * Pieces are assembled once, at module load; nothing is interpreted per line.
 */
export interface GrokPiece {
  /** Native (JavaScript) source. */
  readonly src: string;
  /** RE2 source: `src` without the lookaheads RE2 lacks (they only prune dead branches). */
  readonly re2: string;
  /** Capture groups in `src`. */
  readonly groups: number;
  /** Semantic name → 0-based capture group within `src`. */
  readonly sems: ReadonlyMap<string, number>;
}

interface Capture {
  readonly name: string;
  readonly piece: GrokPiece;
}

type Part = GrokPiece | Capture;

/** Capturing groups in a regex source: `(` not escaped, not in a class, not `(?`. */
function groupCount(src: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === "\\") i++;
    else if (inClass) inClass = ch !== "]";
    else if (ch === "[") inClass = true;
    else if (ch === "(" && src[i + 1] !== "?") n++;
  }
  return n;
}

/** `%{PIECE:name}`: a semantic capture. */
export function c(name: string, piece: GrokPiece): Capture {
  return { name, piece };
}

/** A base pattern with no semantics; its source may not contain capturing groups. */
export function raw(src: string): GrokPiece {
  if (groupCount(src) !== 0) throw new Error(`grok raw source has capture groups: ${src}`);
  return { src, re2: src, groups: 0, sems: new Map() };
}

/**
 * A lookahead stating a condition every match of what follows must meet, so the native
 * engine abandons a branch that cannot succeed without changing which match it finds.
 */
export function ahead(src: string): GrokPiece {
  return { src: `(?=${raw(src).src})`, re2: "", groups: 0, sems: new Map() };
}

/**
 * A grok pattern definition, as a tagged template: `${piece}` is `%{PIECE}` and
 * `${c("name", piece)}` is `%{PIECE:name}`. Semantics follow grokky: a name written in
 * this pattern beats one coming from a sub-pattern, and among equals the last one wins
 * (so a duplicated name reports its last group, even when that group did not match).
 */
export function grok(strings: TemplateStringsArray, ...parts: Part[]): GrokPiece {
  let src = "";
  let re2 = "";
  let groups = 0;
  const own = new Map<string, number>();
  const nested = new Map<string, number>();
  strings.raw.forEach((text, i) => {
    src += text;
    re2 += text;
    const part = parts[i];
    if (part === undefined) return;
    const piece = "name" in part ? part.piece : part;
    if ("name" in part) {
      own.set(part.name, groups);
      groups++;
      src += `(${piece.src})`;
      re2 += `(${piece.re2})`;
    } else {
      src += `(?:${piece.src})`;
      re2 += `(?:${piece.re2})`;
    }
    for (const [k, v] of piece.sems) nested.set(k, groups + v);
    groups += piece.groups;
  });
  if (groupCount(src) !== groups) throw new Error(`grok group count mismatch in ${src}`);
  const winners = new Map(nested);
  for (const [k, v] of own) winners.set(k, v);
  // Report names in the order their groups appear in the pattern.
  const sems = new Map([...winners].sort((a, b) => a[1] - b[1]));
  return { src, re2, groups, sems };
}

/** Longest line the fallback search (a match not at offset 0) is attempted on. */
const SEARCH_MAX = 4096;
/** The fallback search tries start offsets this far into the line. */
const SEARCH_SPAN = 256;
/** Past this length, a pattern with nested lazy groups first proves a match exists in linear time. */
const GUARD_FROM = 4096;

export interface GrokOptions {
  /** The pattern has nested lazy groups: guard long lines with a linear-time RE2 test. */
  guarded?: boolean;
  /** A one-character class every match starts with (prunes the token-start search). */
  lead?: RegExp;
  /** Literals every match contains (the search stops once one no longer follows). */
  needs?: readonly string[];
}

/**
 * Runs one ported grok the way Go's `FindStringSubmatch` does: leftmost match, then the
 * captures a backtracking engine picks. The native engine tries offset 0 first, which
 * answers almost every line (a match there is the leftmost one). Grok patterns are not
 * anchored, so a line with a prefix the pattern does not expect (`_ 1.2.3.4 - - [...]`,
 * leading blanks, a container log prefix) is then searched from each token start in its
 * first 256 characters. Documented differences: a match starting inside a token
 * (`_1.2.3.4`) is not searched for, and a prefix holding a quote or a web server's client
 * field (`[client `, `, client: `) is no envelope: there the line is an error line (or
 * a request) whose client-written text (a path, a user name, a Referer) spells a whole
 * log line, which must not become the event.
 */
/** How far a prefix can reach before it holds what no envelope holds (see GrokMatcher). */
function envelopeEnd(s: string): number {
  let end = s.length;
  for (const mark of ['"', "[client ", ", client: "]) {
    const i = s.indexOf(mark);
    if (i >= 0 && i < end) end = i;
  }
  return end;
}

export class GrokMatcher {
  readonly names: readonly string[];
  /** Index into the exec array for each name. */
  readonly slots: readonly number[];
  private readonly anchored: RegExp;
  private readonly sticky: RegExp;
  private readonly guarded: boolean;
  private readonly lead: RegExp | undefined;
  private readonly needs: readonly string[];
  private guard: RE2JS | undefined;

  constructor(
    private readonly piece: GrokPiece,
    opts: GrokOptions = {},
  ) {
    this.anchored = new RegExp(`^(?:${piece.src})`);
    this.sticky = new RegExp(`(?:${piece.src})`, "y");
    this.guarded = opts.guarded === true;
    this.lead = opts.lead;
    this.needs = opts.needs ?? [];
    this.names = [...piece.sems.keys()];
    this.slots = [...piece.sems.values()].map((v) => v + 1);
  }

  exec(s: string): RegExpExecArray | null {
    if (this.guarded && s.length > GUARD_FROM && !this.exists(s)) return null;
    const m = this.anchored.exec(s);
    if (m || s.length > SEARCH_MAX) return m;
    const end = Math.min(s.length, SEARCH_SPAN, envelopeEnd(s));
    for (let i = s.indexOf(" ") + 1; i > 0 && i <= end; i = s.indexOf(" ", i) + 1) {
      if (this.needs.some((lit) => s.indexOf(lit, i) < 0)) break;
      if (this.lead && !this.lead.test(s[i] as string)) continue;
      this.sticky.lastIndex = i;
      const found = this.sticky.exec(s);
      if (found) return found;
    }
    return null;
  }

  /** The exec-array index of semantic `name`; a name the pattern lacks is a bug. */
  slot(name: string): number {
    const i = this.names.indexOf(name);
    if (i < 0) throw new Error(`grok has no semantic ${name}`);
    return this.slots[i] as number;
  }

  /** Checks a hand-written field list covers exactly this grok's semantics (else a bug). */
  expect(names: readonly string[]): void {
    if ([...names].sort().join() !== [...this.names].sort().join())
      throw new Error(`grok semantics ${this.names.join()} differ from ${names.join()}`);
  }

  /** Copies every semantic capture into `into`, unmatched ones as "" (as grokky does). */
  assign(m: RegExpExecArray, into: Record<string, string>): void {
    const { names, slots } = this;
    for (let i = 0; i < names.length; i++) {
      into[names[i] as string] = m[slots[i] as number] ?? "";
    }
  }

  private exists(s: string): boolean {
    this.guard ??= RE2JS.compile(this.piece.re2);
    return this.guard.test(s);
  }
}

/**
 * An unanchored grok applied to a field (a sub-node's `apply_on: message`): the native
 * search is used directly, as these patterns start with a literal and scan linearly.
 */
export class GrokSearch {
  readonly names: readonly string[];
  readonly slots: readonly number[];
  private readonly re: RegExp;

  constructor(piece: GrokPiece) {
    this.re = new RegExp(piece.src);
    this.names = [...piece.sems.keys()];
    this.slots = [...piece.sems.values()].map((v) => v + 1);
  }

  exec(s: string): RegExpExecArray | null {
    return this.re.exec(s);
  }

  assign(m: RegExpExecArray, into: Record<string, string>): void {
    for (let i = 0; i < this.names.length; i++) {
      into[this.names[i] as string] = m[this.slots[i] as number] ?? "";
    }
  }
}
