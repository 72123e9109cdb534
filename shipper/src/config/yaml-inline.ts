/**
 * The one-line parts of the YAML subset: plain and quoted scalars and flow collections
 * (`[a, b]`, `{k: v}`), each ending at the end of its line. See yaml.ts for the subset.
 */

export type Scalar = string | number | boolean | null;

export type YamlNode =
  | { kind: "scalar"; value: Scalar; line: number; col: number }
  | { kind: "seq"; items: YamlNode[]; line: number; col: number }
  | { kind: "map"; entries: YamlEntry[]; line: number; col: number };

export interface YamlEntry {
  key: string;
  line: number;
  col: number;
  value: YamlNode;
}

/** A syntax error at a line and column; caught at the parser's boundary, never escapes it. */
export class YamlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
  }
}

const NUMBER = /^[-+]?(?:\d+|\d*\.\d+(?:[eE][-+]?\d+)?|\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)$/;

/** YAML 1.2 core schema resolution of a plain scalar. */
function resolvePlain(text: string): Scalar {
  if (text === "" || text === "~" || text === "null" || text === "Null" || text === "NULL")
    return null;
  if (text === "true" || text === "True" || text === "TRUE") return true;
  if (text === "false" || text === "False" || text === "FALSE") return false;
  if (NUMBER.test(text)) return Number(text);
  return text;
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  n: "\n",
  t: "\t",
  r: "\r",
  "0": "\0",
  b: "\b",
  f: "\f",
  e: "\x1b",
  " ": " ",
};

/** Reads one line's worth of inline YAML starting at `pos` of `text`. */
export class InlineReader {
  pos = 0;

  constructor(
    readonly text: string,
    readonly line: number,
    readonly colBase: number,
  ) {}

  fail(message: string): never {
    throw new YamlSyntaxError(message, this.line, this.colBase + this.pos);
  }

  skipSpaces(): void {
    while (this.text[this.pos] === " " || this.text[this.pos] === "\t") this.pos++;
  }

  /** True when only spaces and an optional comment remain. */
  atEnd(): boolean {
    this.skipSpaces();
    return this.pos >= this.text.length || this.text[this.pos] === "#";
  }

  /** A whole value: flow collection, quoted or plain scalar, then nothing but a comment. */
  value(): YamlNode {
    const node = this.node(false);
    if (!this.atEnd()) this.fail(`unexpected text after the value; quote the whole value`);
    return node;
  }

  node(inFlow: boolean): YamlNode {
    this.skipSpaces();
    const line = this.line;
    const col = this.colBase + this.pos;
    const c = this.text[this.pos];
    if (c === "[") return { kind: "seq", items: this.flowSeq(), line, col };
    if (c === "{") return { kind: "map", entries: this.flowMap(), line, col };
    if (c === '"') return { kind: "scalar", value: this.doubleQuoted(), line, col };
    if (c === "'") return { kind: "scalar", value: this.singleQuoted(), line, col };
    this.rejectUnsupported(c);
    return { kind: "scalar", value: resolvePlain(this.plain(inFlow)), line, col };
  }

  private rejectUnsupported(c: string | undefined): void {
    if (c === "|" || c === ">")
      this.fail(`block scalars (| and >) are not supported; write the value on one line`);
    if (c === "&" || c === "*")
      this.fail(`anchors and aliases (& and *) are not supported; repeat the value`);
    if (c === "!") this.fail(`tags (!) are not supported; remove the tag`);
    if (c === "@" || c === "`") this.fail(`a plain value cannot start with ${c}; quote it`);
  }

  plain(inFlow: boolean): string {
    const start = this.pos;
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === "#" && (this.pos === start || t[this.pos - 1] === " ")) break;
      if (c === ":" && (this.pos + 1 >= t.length || t[this.pos + 1] === " ")) {
        if (inFlow) break;
        this.fail(`unexpected ": " inside a value; quote the value`);
      }
      if (inFlow && (c === "," || c === "]" || c === "}")) break;
      this.pos++;
    }
    return t.slice(start, this.pos).trimEnd();
  }

  singleQuoted(): string {
    let out = "";
    const start = this.pos++;
    for (;;) {
      const end = this.text.indexOf("'", this.pos);
      if (end < 0) {
        this.pos = start;
        this.fail(`unterminated '-quoted value: quoted values must end on their line`);
      }
      out += this.text.slice(this.pos, end);
      this.pos = end + 1;
      if (this.text[this.pos] !== "'") return out;
      out += "'";
      this.pos++;
    }
  }

  doubleQuoted(): string {
    let out = "";
    const start = this.pos++;
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos++] as string;
      if (c === '"') return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      out += this.escape();
    }
    this.pos = start;
    return this.fail(`unterminated "-quoted value: quoted values must end on their line`);
  }

  private escape(): string {
    const e = this.text[this.pos++] ?? "";
    const simple = ESCAPES[e];
    if (simple !== undefined) return simple;
    const width = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    const hex = this.text.slice(this.pos, this.pos + width);
    if (width === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width)
      this.fail(`unknown escape \\${e} in a "-quoted value`);
    this.pos += width;
    return String.fromCodePoint(Number.parseInt(hex, 16));
  }

  private flowSeq(): YamlNode[] {
    const items: YamlNode[] = [];
    this.pos++;
    this.flowItems("]", () => {
      items.push(this.node(true));
    });
    return items;
  }

  private flowMap(): YamlEntry[] {
    const entries: YamlEntry[] = [];
    this.pos++;
    this.flowItems("}", () => {
      const key = this.node(true);
      if (key.kind !== "scalar") this.fail(`a mapping key must be a plain or quoted string`);
      this.skipSpaces();
      if (this.text[this.pos] !== ":") this.fail(`expected ":" after the key "${key.value}"`);
      this.pos++;
      const value = this.flowValue();
      const name = String(key.value);
      if (entries.some((e) => e.key === name)) this.fail(`duplicate key "${name}"`);
      entries.push({ key: name, line: key.line, col: key.col, value });
    });
    return entries;
  }

  private flowValue(): YamlNode {
    this.skipSpaces();
    const c = this.text[this.pos];
    if (c === "," || c === "}")
      return { kind: "scalar", value: null, line: this.line, col: this.colBase + this.pos };
    return this.node(true);
  }

  private flowItems(close: string, item: () => void): void {
    for (;;) {
      this.skipSpaces();
      if (this.pos >= this.text.length || this.text[this.pos] === "#")
        this.fail(`unterminated flow collection: it must close with ${close} on the same line`);
      if (this.text[this.pos] === close) {
        this.pos++;
        return;
      }
      item();
      this.skipSpaces();
      if (this.pos >= this.text.length)
        this.fail(`unterminated flow collection: it must close with ${close} on the same line`);
      if (this.text[this.pos] === ",") this.pos++;
      else if (this.text[this.pos] !== close) this.fail(`expected "," or "${close}"`);
    }
  }
}
