import type { Document } from "yaml";
import { isMap, isPair, isScalar, LineCounter, parseAllDocuments } from "yaml";
import type { z } from "zod";
import { type Diagnostic, error } from "./diagnostic";
import { type CompiledExpr, compileExpr, type ExprOptions } from "./expr";

/**
 * Multi-document YAML config files (profiles, allowlists) read into plain values, with
 * every problem turned into a Diagnostic that names the file, the document, the field
 * and the line, so an operator can fix them all in one pass.
 */

export interface ConfigFile {
  /** Shown in diagnostics: the path the operator gave, or `hub/profiles.yaml`. */
  path: string;
  text: string;
}

export interface ConfigDocument {
  file: ConfigFile;
  /** Index of the document in its file (`---` separated), counting from 0. */
  index: number;
  value: unknown;
  /** `file#index:field` — the Diagnostic path convention. */
  at(field: readonly PropertyKey[]): string;
  /** 1-based line of the field (or of its nearest existing parent), for messages. */
  lineOf(field: readonly PropertyKey[]): number | undefined;
}

/** Parses every non-empty document of a file; YAML syntax errors become diagnostics. */
export function readDocuments(
  file: ConfigFile,
  code: string,
  errors: Diagnostic[],
): ConfigDocument[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(file.text, { lineCounter: lines, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  const out: ConfigDocument[] = [];
  list.forEach((doc, index) => {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      const where = pos ? ` (line ${pos.line}, column ${pos.col})` : "";
      errors.push(
        error(code, `${file.path}#${index}`, `invalid YAML${where}: ${firstLine(e.message)}`),
      );
    }
    if (doc.errors.length > 0 || doc.contents === null) return;
    out.push(documentOf(file, index, doc, lines));
  });
  return out;
}

function documentOf(
  file: ConfigFile,
  index: number,
  doc: Document,
  lines: LineCounter,
): ConfigDocument {
  return {
    file,
    index,
    value: doc.toJS(),
    at: (field) => `${file.path}#${index}${field.length > 0 ? `:${fieldName(field)}` : ""}`,
    lineOf(field) {
      for (let n = field.length; n >= 0; n--) {
        const node = doc.getIn(field.slice(0, n) as unknown[], true) as
          | { range?: [number, number, number] }
          | undefined;
        const offset = node?.range?.[0] ?? (n === 0 ? keyOffset(doc) : undefined);
        if (offset !== undefined) return lines.linePos(offset).line;
      }
      return undefined;
    },
  };
}

function keyOffset(doc: Document): number | undefined {
  const c = doc.contents;
  if (isMap(c)) {
    const first = c.items[0];
    if (isPair(first) && isScalar(first.key)) return first.key.range?.[0];
  }
  return c?.range?.[0];
}

/** `decisions[0].duration` from `["decisions", 0, "duration"]`. */
function fieldName(field: readonly PropertyKey[]): string {
  let s = "";
  for (const k of field) {
    if (typeof k === "number") s += `[${k}]`;
    else s += s === "" ? String(k) : `.${String(k)}`;
  }
  return s;
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

/** The value at `field` inside `root`, for messages that quote what the operator wrote. */
export function valueAt(root: unknown, field: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of field) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

export function quote(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return "nothing";
  return JSON.stringify(v) ?? String(v);
}

/**
 * zod issues → diagnostics. `keys` lists the known keys per object kind so an unknown-key
 * message can say what was meant; `what` names the object (`profile`, `decision`).
 */
export function issuesToDiagnostics(
  issues: readonly z.core.$ZodIssue[],
  doc: ConfigDocument,
  code: string,
  knownKeys: (field: readonly PropertyKey[]) => readonly string[],
): Diagnostic[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => {
        const field = [...issue.path, key];
        const known = knownKeys(issue.path).join(", ");
        return error(
          `${code}.key.unknown`,
          doc.at(field),
          `unknown key ${quote(key)}${lineSuffix(doc, field)}; known keys here: ${known}. Remove it or fix its spelling.`,
        );
      });
    }
    const field = issue.path;
    const got = valueAt(doc.value, field);
    return [
      error(
        `${code}.field.invalid`,
        doc.at(field),
        describeIssue(issue, got, lineSuffix(doc, field)),
      ),
    ];
  });
}

function describeIssue(issue: z.core.$ZodIssue, got: unknown, line: string): string {
  const name = `${fieldName(issue.path) || "the document"}${line}`;
  switch (issue.code) {
    case "invalid_type":
      return got === undefined
        ? `${name} is required (expected ${issue.expected}); add it.`
        : `${name} is ${quote(got)}, expected ${article(issue.expected)}; fix the value.`;
    case "invalid_value":
      return `${name} is ${quote(got)}; expected one of ${issue.values.map((v) => quote(v)).join(", ")}.`;
    case "too_small":
    case "too_big":
      return `${name} is ${quote(got)}: ${issue.message.replace(/^Too (small|big): /, "")}.`;
    default:
      return `${name}: ${issue.message}.`;
  }
}

function article(type: string): string {
  if (type === "int") return "an integer";
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export function lineSuffix(doc: ConfigDocument, field: readonly PropertyKey[]): string {
  const line = doc.lineOf(field);
  return line === undefined ? "" : ` (line ${line})`;
}

/**
 * Compiles an expression written at `field`. The expression's own diagnostic gives the
 * column inside the expression; this puts the YAML line in front (the path names the field).
 */
export function compileField(
  source: string,
  doc: ConfigDocument,
  field: readonly PropertyKey[],
  options: Omit<ExprOptions, "path">,
  diags: Diagnostic[],
): CompiledExpr | undefined {
  const path = doc.at(field);
  const r = compileExpr(source, { ...options, path });
  const line = doc.lineOf(field);
  const where = line === undefined ? "" : `line ${line}: `;
  const located = (d: Diagnostic): Diagnostic => ({
    ...d,
    path: d.path || path,
    message: where + d.message,
  });
  if (!r.ok) {
    diags.push(...r.errors.map(located));
    return undefined;
  }
  diags.push(...r.warnings.map(located));
  return r.value;
}
