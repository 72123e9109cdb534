import { RE2JS } from "re2js";
import { error, type Result } from "./diagnostic";

/**
 * Regular expressions from scenario, parser and data files, written in Go's RE2 syntax
 * and run on attacker-controlled strings. RE2 (re2js) matching is linear in the input, so
 * no pattern can backtrack catastrophically. Patterns that a conservative static analysis
 * proves cannot backtrack more than linearly are translated to a native JS RegExp, which
 * is several times faster; everything else stays on re2js. Both give RE2's answers.
 */
export interface SafeRegex {
  readonly source: string;
  /** Which engine runs it: "native" only for patterns proven safe, else "re2". */
  readonly engine: "native" | "re2";
  /** True when the pattern matches anywhere in `s` (Go's `MatchString`). */
  test(s: string): boolean;
  /** Named capture groups of the first match, or null when there is none. */
  match(s: string): Record<string, string> | null;
}

export interface RegexOptions {
  path?: string;
  /** "re2" forces the linear-time engine (tests compare both engines on the same inputs). */
  engine?: "auto" | "re2";
}

type Groups = (string[] & { groups?: Record<string, string | undefined> }) | null;

function namedGroups(m: Groups): Record<string, string> | null {
  if (!m) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.groups ?? {})) out[k] = v ?? "";
  return out;
}

export function compileRegex(pattern: string, opts: RegexOptions = {}): Result<SafeRegex> {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      errors: [
        error(
          "regex.syntax",
          opts.path ?? "",
          `invalid regular expression ${JSON.stringify(pattern)}: ${why}. Patterns use RE2 syntax (no backreferences or lookaround).`,
        ),
      ],
    };
  }
  const native = opts.engine === "re2" ? null : toNativeRegExp(pattern);
  const value: SafeRegex = native
    ? {
        source: pattern,
        engine: "native",
        test: (s) => native.test(s),
        match: (s) => namedGroups(native.exec(s)),
      }
    : {
        source: pattern,
        engine: "re2",
        test: (s) => re.test(s),
        match: (s) => namedGroups(re.exec(s) as Groups),
      };
  return { ok: true, value, warnings: [] };
}

/** Thrown inside the translator when a construct is not provably safe or not translatable. */
class Unsafe {}

/** Work bound per start position: the product of the choices bounded quantifiers offer. */
const MAX_CHOICES = 256;
const MAX_NATIVE_LENGTH = 1000;
const MAX_ALTERNATIVES = 32;

/**
 * The native RegExp for an RE2 pattern when it is provably linear, else null. Accepted:
 * no quantified group except `(…)?` around quantifier-free content, at most one unbounded
 * quantifier (`*`, `+`, `{n,}`), and only if the pattern is anchored with `^` or that
 * quantifier ends the pattern; bounded quantifiers multiply to at most 256 choices.
 */
export function toNativeRegExp(pattern: string): RegExp | null {
  if (pattern.length > MAX_NATIVE_LENGTH) return null;
  const t = new Translator(pattern);
  try {
    const flags = t.leadingFlags();
    const top = t.alternation();
    if (t.i < pattern.length) return null;
    const single = top.branches === 1;
    const linear =
      top.unbounded === 0 || (top.unbounded === 1 && single && (top.anchored || top.endsUnbounded));
    if (!linear || top.choices > MAX_CHOICES || t.alternatives > MAX_ALTERNATIVES) return null;
    return new RegExp(top.out, `u${flags}`);
  } catch (e) {
    if (e instanceof Unsafe || e instanceof SyntaxError) return null;
    throw e;
  }
}

interface Piece {
  out: string;
  unbounded: number;
  choices: number;
  branches: number;
  anchored: boolean;
  endsUnbounded: boolean;
}

const JS_SYNTAX = "^$\\.*+?()[]{}|/";
const CLASS_SPECIAL = "^$\\.*+?()[]{}|/-";
const RE2_SPACE = "\\t\\n\\f\\r ";
const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7f",
  blank: "\\t ",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`\\{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};
/** RE2 escapes JS writes the same way (with \a spelled out). */
function simpleEscape(e: string): string | undefined {
  if (e === "a") return "\\x07";
  return "fnrtvdDwW".includes(e) ? `\\${e}` : undefined;
}

function leaf(out: string, anchored = false): Piece {
  return { out, unbounded: 0, choices: 1, branches: 1, anchored, endsUnbounded: false };
}

class Translator {
  i = 0;
  alternatives = 0;
  private ignoreCase = false;
  private dotAll = false;

  constructor(private readonly p: string) {}

  leadingFlags(): string {
    const m = /^\(\?([is]+)\)/.exec(this.p);
    if (!m) return "";
    this.i = m[0].length;
    this.ignoreCase = (m[1] as string).includes("i");
    this.dotAll = (m[1] as string).includes("s");
    return (this.ignoreCase ? "i" : "") + (this.dotAll ? "s" : "");
  }

  alternation(): Piece {
    const first = this.sequence();
    const acc = { ...first };
    while (this.p[this.i] === "|") {
      this.i++;
      this.alternatives++;
      const next = this.sequence();
      acc.out += `|${next.out}`;
      acc.unbounded += next.unbounded;
      acc.choices += next.choices;
      acc.branches++;
    }
    return acc;
  }

  private sequence(): Piece {
    const seq = leaf("");
    let firstItem = true;
    while (this.i < this.p.length && this.p[this.i] !== "|" && this.p[this.i] !== ")") {
      const item = this.item();
      if (firstItem) seq.anchored = item.anchored;
      firstItem = false;
      seq.out += item.out;
      seq.unbounded += item.unbounded;
      seq.choices *= item.choices;
      seq.endsUnbounded = item.endsUnbounded;
      if (seq.choices > MAX_CHOICES) throw new Unsafe();
    }
    return seq;
  }

  private item(): Piece {
    const isGroup = this.p[this.i] === "(";
    const atom = this.atom();
    const q = this.quantifier();
    if (!q) return atom;
    if (atom.anchored || atom.out === "$") throw new Unsafe();
    if (isGroup && !(q.max === 1 && atom.unbounded === 0)) throw new Unsafe();
    const unbounded = q.max === Number.POSITIVE_INFINITY;
    return {
      out: atom.out + q.text,
      unbounded: atom.unbounded + (unbounded ? 1 : 0),
      choices: atom.choices * (unbounded ? 1 : q.max - q.min + 1),
      branches: 1,
      anchored: false,
      endsUnbounded: unbounded,
    };
  }

  private quantifier(): { min: number; max: number; text: string } | null {
    const c = this.p[this.i];
    let q: { min: number; max: number; text: string } | null = null;
    if (c === "*" || c === "+" || c === "?") {
      this.i++;
      q = { min: c === "+" ? 1 : 0, max: c === "?" ? 1 : Number.POSITIVE_INFINITY, text: c };
    } else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.i));
      if (!m) return null;
      this.i += m[0].length;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === "" ? Number.POSITIVE_INFINITY : Number(m[3]);
      q = { min, max, text: m[0] };
    }
    if (q && this.p[this.i] === "?") {
      this.i++;
      q.text += "?";
    }
    return q;
  }

  private atom(): Piece {
    const c = this.p[this.i] as string;
    if (c === "(") return this.group();
    if (c === "[") return leaf(this.charClass());
    this.i++;
    if (c === ".") return leaf(this.dotAll ? "." : "[^\\n]");
    if (c === "^") return leaf("^", true);
    if (c === "$") return leaf("$");
    if (c === "\\") return this.escape();
    if (c === "{") return leaf("\\{");
    return leaf(JS_SYNTAX.includes(c) ? `\\${c}` : c);
  }

  private escape(): Piece {
    const e = this.p[this.i++] as string;
    if (e === "A") return leaf("^", true);
    if (e === "z") return leaf("$");
    if (e === "s") return leaf(`[${RE2_SPACE}]`);
    if (e === "S") return leaf(`[^${RE2_SPACE}]`);
    if (e === "b" || e === "B") {
      // With case folding JS widens \b's word characters (ſ, K); RE2's \b stays ASCII.
      if (this.ignoreCase) throw new Unsafe();
      return leaf(`\\${e}`);
    }
    const simple = simpleEscape(e);
    if (simple) return leaf(simple);
    if (e === "x") return leaf(this.hexEscape());
    if (/[^\p{L}\p{N}]/u.test(e) && e.charCodeAt(0) < 0x80)
      return leaf(JS_SYNTAX.includes(e) ? `\\${e}` : e);
    throw new Unsafe();
  }

  private hexEscape(): string {
    const m = /^\{([0-9a-fA-F]+)\}|^[0-9a-fA-F]{2}/.exec(this.p.slice(this.i));
    if (!m) throw new Unsafe();
    this.i += m[0].length;
    const code = Number.parseInt(m[1] ?? m[0], 16);
    return `\\u{${code.toString(16)}}`;
  }

  private group(): Piece {
    const rest = this.p.slice(this.i);
    const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
    let open = "(";
    if (named) open = `(?<${named[1]}>`;
    else if (rest.startsWith("(?:")) open = "(?:";
    else if (rest.startsWith("(?")) throw new Unsafe();
    this.i += named ? named[0].length : open.length;
    const inner = this.alternation();
    if (this.p[this.i] !== ")") throw new Unsafe();
    this.i++;
    return {
      ...inner,
      out: `${open}${inner.out})`,
      branches: 1,
      anchored: false,
      endsUnbounded: false,
    };
  }

  private charClass(): string {
    this.i++;
    let out = "[";
    if (this.p[this.i] === "^") {
      out += "^";
      this.i++;
    }
    let first = true;
    while (this.i < this.p.length && (first || this.p[this.i] !== "]")) {
      first = false;
      out += this.classItem();
    }
    if (this.p[this.i] !== "]") throw new Unsafe();
    this.i++;
    return `${out}]`;
  }

  private classItem(): string {
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.p.slice(this.i));
    if (posix) {
      const set = POSIX[posix[2] as string];
      if (!set || posix[1]) throw new Unsafe();
      this.i += posix[0].length;
      return set;
    }
    const lo = this.classChar();
    if (this.p[this.i] === "-" && this.p[this.i + 1] !== "]" && this.i + 1 < this.p.length) {
      this.i++;
      const hi = this.classChar();
      if (lo.length === 0 || hi.length === 0) throw new Unsafe();
      return `${lo.text}-${hi.text}`;
    }
    return lo.text;
  }

  /** One class member; `length` 0 marks a multi-character escape (\d, \s) that cannot bound a range. */
  private classChar(): { text: string; length: number } {
    const c = this.p[this.i] as string;
    if (c !== "\\") {
      const cp = String.fromCodePoint(this.p.codePointAt(this.i) as number);
      this.i += cp.length;
      return { text: CLASS_SPECIAL.includes(cp) ? `\\${cp}` : cp, length: 1 };
    }
    const e = this.p[this.i + 1] as string;
    this.i += 2;
    if (e === "s") return { text: RE2_SPACE, length: 0 };
    if ("dDwW".includes(e)) return { text: `\\${e}`, length: 0 };
    const simple = simpleEscape(e);
    if (simple) return { text: simple, length: 1 };
    if (e === "x") return { text: this.hexEscape(), length: 1 };
    if (/[^\p{L}\p{N}]/u.test(e) && e.charCodeAt(0) < 0x80) {
      return { text: CLASS_SPECIAL.includes(e) ? `\\${e}` : e, length: 1 };
    }
    throw new Unsafe();
  }
}
