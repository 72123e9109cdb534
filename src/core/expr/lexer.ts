/**
 * Tokens of the `expr` language as CrowdSec hub files write it (antonmedv/expr, now
 * expr-lang/expr). Positions are UTF-16 offsets into the source, turned into line and
 * column only when a diagnostic needs them.
 */

export type TokenKind = "number" | "string" | "name" | "op" | "eof";

export interface Token {
  kind: TokenKind;
  /** Operator or name text; for strings the unescaped value; for numbers the literal text. */
  value: string;
  pos: number;
  end: number;
}

export class SyntaxFailure {
  constructor(
    readonly pos: number,
    readonly message: string,
  ) {}
}

const WORD_OPS = new Set([
  "in",
  "not",
  "and",
  "or",
  "matches",
  "contains",
  "startsWith",
  "endsWith",
]);
const THREE = ["?.["];
const TWO = ["==", "!=", "<=", ">=", "&&", "||", "??", "?.", "..", "**"];
const ONE = "+-*/%^!<>=?:,()[]{}.#;|";
const NAME_START = /[\p{L}_$]/u;
const NAME_PART = /[\p{L}\p{N}_$]/u;

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    if (src.startsWith("//", i)) {
      const nl = src.indexOf("\n", i);
      i = nl < 0 ? src.length : nl;
      continue;
    }
    if (src.startsWith("/*", i)) {
      const close = src.indexOf("*/", i + 2);
      if (close < 0) throw new SyntaxFailure(i, "unterminated comment: add the closing */");
      i = close + 2;
      continue;
    }
    const tok = readToken(src, i);
    out.push(tok);
    i = tok.end;
  }
  out.push({ kind: "eof", value: "", pos: src.length, end: src.length });
  return out;
}

function readToken(src: string, i: number): Token {
  const c = src[i] as string;
  if (c >= "0" && c <= "9") return readNumber(src, i);
  if (c === "'" || c === '"') return readQuoted(src, i, c);
  if (c === "`") {
    const close = src.indexOf("`", i + 1);
    if (close < 0) throw new SyntaxFailure(i, "unterminated raw string: add the closing backtick");
    return { kind: "string", value: src.slice(i + 1, close), pos: i, end: close + 1 };
  }
  if (NAME_START.test(c)) {
    let j = i + 1;
    while (j < src.length && NAME_PART.test(src[j] as string)) j++;
    const word = src.slice(i, j);
    return { kind: WORD_OPS.has(word) ? "op" : "name", value: word, pos: i, end: j };
  }
  for (const op of THREE) if (src.startsWith(op, i)) return opToken(op, i);
  for (const op of TWO) {
    if (!src.startsWith(op, i)) continue;
    // `a ?.5 : b` is a ternary with a float, not an optional member.
    if (op === "?." && isDigit(src[i + 2])) break;
    return opToken(op, i);
  }
  if (ONE.includes(c)) return opToken(c, i);
  throw new SyntaxFailure(i, `unexpected character ${JSON.stringify(c)}`);
}

function opToken(op: string, i: number): Token {
  return { kind: "op", value: op, pos: i, end: i + op.length };
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

const RADIX = /^0[xX][0-9a-fA-F_]+|^0[oO][0-7_]+|^0[bB][01_]+/;
const DECIMAL = /^[0-9][0-9_]*(\.(?!\.)[0-9_]*)?([eE][+-]?[0-9_]+)?/;

function readNumber(src: string, i: number): Token {
  const rest = src.slice(i, i + 64);
  const m = RADIX.exec(rest) ?? DECIMAL.exec(rest);
  const text = (m as RegExpExecArray)[0];
  const end = i + text.length;
  if (end < src.length && NAME_PART.test(src[end] as string)) {
    throw new SyntaxFailure(end, `invalid number literal ${JSON.stringify(text + src[end])}`);
  }
  return { kind: "number", value: text, pos: i, end };
}

function readQuoted(src: string, start: number, quote: string): Token {
  let out = "";
  let i = start + 1;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === quote) return { kind: "string", value: out, pos: start, end: i + 1 };
    if (c === "\n") break;
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const [text, next] = readEscape(src, i);
    out += text;
    i = next;
  }
  throw new SyntaxFailure(start, `unterminated string: add the closing ${quote}`);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
};

const HEX_LEN: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Go's escapes (strconv.UnquoteChar), which expr uses for quoted strings. */
function readEscape(src: string, i: number): [string, number] {
  const e = src[i + 1] ?? "";
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) return [simple, i + 2];
  const hexLen = HEX_LEN[e];
  if (hexLen !== undefined) {
    const hex = src.slice(i + 2, i + 2 + hexLen);
    if (hex.length === hexLen && /^[0-9a-fA-F]+$/.test(hex)) {
      const code = Number.parseInt(hex, 16);
      if (code <= 0x10ffff) return [String.fromCodePoint(code), i + 2 + hexLen];
    }
  } else if (e >= "0" && e <= "7") {
    const oct = src.slice(i + 1, i + 4);
    if (/^[0-7]{3}$/.test(oct) && Number.parseInt(oct, 8) <= 255) {
      return [String.fromCharCode(Number.parseInt(oct, 8)), i + 4];
    }
  }
  throw new SyntaxFailure(
    i,
    `invalid escape "\\${e}" in string: write "\\\\${e}" for a literal backslash (regex escapes like \\d need a doubled backslash)`,
  );
}
