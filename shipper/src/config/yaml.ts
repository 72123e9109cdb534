/**
 * A small YAML reader for the shipper's config: the shipper bundle carries no third-party
 * code, so it reads the subset of YAML a config needs and rejects the rest by name.
 *
 * Supported: one document (an optional leading `---`); block mappings and block sequences
 * nested by space indentation (`- key: v` items included); flow collections on one line
 * (`[a, "b"]`, `{k: v}`); plain, 'single' and "double" quoted scalars (JSON-style escapes);
 * core-schema resolution (null, ~, true/false, integers, floats); `#` comments.
 * Not supported (a clear error): tabs in indentation, anchors and aliases (& *), tags (!),
 * block scalars (| >), values continued on a following line, `?` complex keys, several
 * documents, duplicate keys.
 */
import type { Diagnostic, Result } from "./diagnostic";
import { InlineReader, type YamlEntry, type YamlNode, YamlSyntaxError } from "./yaml-inline";

export type { Scalar, YamlEntry, YamlNode } from "./yaml-inline";

interface Line {
  no: number;
  indent: number;
  text: string;
}

function splitLines(source: string): Line[] {
  const out: Line[] = [];
  const raw = source.replace(/^\uFEFF/, "").split(/\r?\n/);
  raw.forEach((full, idx) => {
    const text = full.trimStart();
    const indent = full.length - text.length;
    if (text === "" || text.startsWith("#")) return;
    if (full.slice(0, indent).includes("\t"))
      throw new YamlSyntaxError(`tabs are not allowed in indentation; use spaces`, idx + 1, 1);
    out.push({ no: idx + 1, indent, text: text.trimEnd() });
  });
  return out;
}

interface KeySplit {
  key: string;
  rest: string;
  restCol: number;
}

/** `key: rest` (plain or quoted key) or null when the line is not a mapping entry. */
function splitKey(line: Line): KeySplit | null {
  const t = line.text;
  if (t.startsWith("- ") || t === "-" || t[0] === "[" || t[0] === "{") return null;
  if (t[0] === "?") throw new YamlSyntaxError(`complex keys (?) are not supported`, line.no, 1);
  const reader = new InlineReader(t, line.no, line.indent + 1);
  let key: string;
  if (t[0] === '"' || t[0] === "'") {
    key = t[0] === '"' ? reader.doubleQuoted() : reader.singleQuoted();
    reader.skipSpaces();
    if (t[reader.pos] !== ":") return null;
  } else {
    const m = /^([^#]*?)\s*:(?: |$)/.exec(t);
    if (!m) return null;
    key = m[1] as string;
    reader.pos = m[0].length - (m[0].endsWith(" ") ? 2 : 1);
  }
  const afterColon = reader.pos + 1;
  if (afterColon < t.length && t[afterColon] !== " ") return null;
  const rest = t.slice(afterColon).trimStart();
  return { key, rest, restCol: line.indent + 1 + t.length - rest.length };
}

class BlockParser {
  i = 0;

  constructor(private readonly lines: Line[]) {}

  document(): YamlNode | null {
    this.skipMarkers(true);
    const first = this.lines[this.i];
    if (first === undefined) return null;
    const node = this.block(first.indent);
    this.skipMarkers(false);
    const extra = this.lines[this.i];
    if (extra !== undefined) this.unexpected(extra);
    return node;
  }

  private skipMarkers(start: boolean): void {
    for (;;) {
      const l = this.lines[this.i];
      if (l === undefined || l.indent !== 0) return;
      if (l.text === "..." || (l.text === "---" && start)) this.i++;
      else if (l.text === "---" || l.text.startsWith("--- "))
        throw new YamlSyntaxError(
          `only one YAML document is supported: put every source in one "sources:" list instead of separating them with ---`,
          l.no,
          1,
        );
      else return;
    }
  }

  private unexpected(l: Line): never {
    throw new YamlSyntaxError(
      `unexpected indentation or text; a value must be on its key's line or indented under it`,
      l.no,
      l.indent + 1,
    );
  }

  private block(indent: number): YamlNode {
    const l = this.lines[this.i] as Line;
    if (l.text === "-" || l.text.startsWith("- ")) return this.seq(indent);
    if (splitKey(l) !== null) return this.map(indent);
    this.i++;
    const node = new InlineReader(l.text, l.no, l.indent + 1).value();
    this.expectNotDeeper(indent);
    return node;
  }

  private expectNotDeeper(indent: number): void {
    const next = this.lines[this.i];
    if (next !== undefined && next.indent > indent) this.unexpected(next);
  }

  private map(indent: number): YamlNode {
    const first = this.lines[this.i] as Line;
    const entries: YamlEntry[] = [];
    for (
      let l = this.lines[this.i];
      l !== undefined && l.indent === indent;
      l = this.lines[this.i]
    ) {
      if (l.text === "---" || l.text === "...") break;
      const split = splitKey(l);
      if (split === null)
        throw new YamlSyntaxError(`expected "key: value" in this mapping`, l.no, l.indent + 1);
      if (entries.some((e) => e.key === split.key))
        throw new YamlSyntaxError(`duplicate key "${split.key}"`, l.no, l.indent + 1);
      this.i++;
      const value = this.valueAfter(indent, split.rest, l, split.restCol, true);
      entries.push({ key: split.key, line: l.no, col: l.indent + 1, value });
    }
    this.expectNotDeeper(indent);
    return { kind: "map", entries, line: first.no, col: first.indent + 1 };
  }

  private seq(indent: number): YamlNode {
    const first = this.lines[this.i] as Line;
    const items: YamlNode[] = [];
    for (
      let l = this.lines[this.i];
      l !== undefined && l.indent === indent;
      l = this.lines[this.i]
    ) {
      if (l.text !== "-" && !l.text.startsWith("- ")) break;
      const rest = l.text.slice(1).trimStart();
      const restCol = l.indent + 1 + l.text.length - rest.length;
      if (
        rest !== "" &&
        !rest.startsWith("#") &&
        (splitKey({ ...l, text: rest }) || /^-( |$)/.test(rest))
      ) {
        // `- key: v` opens a mapping whose entries sit at the column of `key`.
        this.lines[this.i] = { no: l.no, indent: restCol - 1, text: rest };
        items.push(this.block(restCol - 1));
        continue;
      }
      this.i++;
      items.push(this.valueAfter(indent, rest, l, restCol, false));
    }
    this.expectNotDeeper(indent);
    return { kind: "seq", items, line: first.no, col: first.indent + 1 };
  }

  /** The value after `key:` or `-`: inline on the same line, or a block indented under it. */
  private valueAfter(indent: number, rest: string, l: Line, col: number, inMap: boolean): YamlNode {
    if (rest !== "" && !rest.startsWith("#")) {
      const node = new InlineReader(rest, l.no, col).value();
      this.expectNotDeeper(indent);
      return node;
    }
    const next = this.lines[this.i];
    if (next !== undefined && next.indent > indent) return this.block(next.indent);
    const seqAtSameIndent = next?.indent === indent && /^-( |$)/.test(next.text);
    if (inMap && next !== undefined && seqAtSameIndent) return this.seq(indent);
    return { kind: "scalar", value: null, line: l.no, col };
  }
}

/** Parses `source` (named `file` in diagnostics); null for an empty document. */
export function parseYaml(source: string, file: string): Result<YamlNode | null> {
  try {
    return { ok: true, value: new BlockParser(splitLines(source)).document() };
  } catch (e) {
    if (!(e instanceof YamlSyntaxError)) throw e;
    const d: Diagnostic = {
      code: "config.yaml.syntax",
      path: `${file}:${e.line}:${e.col}`,
      message: `${e.message} (the shipper reads a YAML subset, see shipper/README.md)`,
    };
    return { ok: false, errors: [d] };
  }
}

/** Plain JavaScript value of a node (for tests and for printing). */
export function toPlain(node: YamlNode | null): unknown {
  if (node === null) return null;
  if (node.kind === "scalar") return node.value;
  if (node.kind === "seq") return node.items.map(toPlain);
  return Object.fromEntries(node.entries.map((e) => [e.key, toPlain(e.value)]));
}
