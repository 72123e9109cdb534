import { parseAllDocuments } from "yaml";
import type { z } from "zod";
import { type Diagnostic, error, type Result, warning } from "../diagnostic";
import { compileExpr } from "../expr/index";
import { type CompileContext, compileScenario } from "./compile";
import {
  closestField,
  describeValue,
  fieldHelp,
  knownFields,
  type RawScenario,
  rawScenarioSchema,
} from "./schema";
import type { CompiledScenario, ScenarioFile, ScenarioLoadOptions } from "./types";

/**
 * Checks CrowdSec scenario files (multi-document YAML) and returns every problem found,
 * errors and warnings, without stopping at the first (`palisade scenarios lint`).
 */
export function lintScenarios(
  files: readonly ScenarioFile[],
  opts: ScenarioLoadOptions = {},
): Diagnostic[] {
  return loadAll(files, opts).diagnostics;
}

/** Loads and compiles scenario files; fails with all errors if any document has one. */
export function loadScenarios(
  files: readonly ScenarioFile[],
  opts: ScenarioLoadOptions = {},
): Result<CompiledScenario[]> {
  const { scenarios, diagnostics } = loadAll(files, opts);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: scenarios, warnings: diagnostics };
}

function loadAll(files: readonly ScenarioFile[], opts: ScenarioLoadOptions) {
  const diagnostics: Diagnostic[] = [];
  const scenarios: CompiledScenario[] = [];
  for (const file of files) {
    const docs = parseAllDocuments(file.text);
    const list = Array.isArray(docs) ? docs : [docs];
    list.forEach((doc, index) => {
      const at = `${file.path}#${index}`;
      if (doc.errors.length > 0) {
        for (const e of doc.errors) diagnostics.push(yamlError(at, e.message));
        return;
      }
      const compiled = loadDocument(doc.toJS(), { file: file.path, index, opts, diagnostics });
      if (compiled) scenarios.push(compiled);
    });
  }
  diagnostics.push(...duplicateNames(scenarios));
  return { scenarios, diagnostics };
}

function yamlError(at: string, message: string): Diagnostic {
  const first = message.split("\n")[0] ?? message;
  return error("scenario.yaml.syntax", at, `this document is not valid YAML: ${first}`);
}

interface DocumentInput {
  file: string;
  index: number;
  opts: ScenarioLoadOptions;
  diagnostics: Diagnostic[];
}

function loadDocument(value: unknown, input: DocumentInput): CompiledScenario | undefined {
  const { file, index, diagnostics } = input;
  const at = `${file}#${index}`;
  // An empty document (a stray `---`) holds nothing to load.
  if (value === null || value === undefined) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    diagnostics.push(
      error(
        "scenario.document.invalid",
        at,
        `expected a scenario (a mapping with type, name, filter, …) but found ${describeValue(value)}`,
      ),
    );
    return undefined;
  }
  const cleaned = dropNulls(value as Record<string, unknown>);
  const parsed = rawScenarioSchema.safeParse(cleaned);
  if (parsed.success) return compileScenario(parsed.data, compileContext(input, new Set()));
  const bad = new Set<string>();
  for (const issue of parsed.error.issues) {
    diagnostics.push(...issueDiagnostics(at, issue, cleaned));
    for (const key of issueKeys(issue)) bad.add(key);
  }
  // Every problem at once: the rest of the document is still compiled (its durations,
  // kind rules, expressions), with what the schema refused left out and not reported twice.
  compileScenario(salvage(cleaned, bad), compileContext(input, bad));
  return undefined;
}

function compileContext(input: DocumentInput, silenced: ReadonlySet<string>): CompileContext {
  const at = `${input.file}#${input.index}`;
  const quiet = (field: string) => silenced.has(field.split(/[.[]/)[0] ?? field);
  return {
    file: input.file,
    index: input.index,
    report: (field, code, message, severity = "error") => {
      if (quiet(field)) return;
      input.diagnostics.push(
        severity === "error"
          ? error(code, `${at}:${field}`, message)
          : warning(code, `${at}:${field}`, message),
      );
    },
    collect: (d) => {
      if (!quiet(d.path.slice(d.path.lastIndexOf(":") + 1))) input.diagnostics.push(d);
    },
    data: input.opts.data,
    compile: input.opts.compile ?? compileExpr,
    stepBudget: input.opts.stepBudget,
  };
}

/** The top-level fields a schema issue is about (unknown keys included). */
function issueKeys(issue: z.core.$ZodIssue): string[] {
  const top = issue.path[0];
  if (top !== undefined) return [String(top)];
  return issue.code === "unrecognized_keys" ? issue.keys : [];
}

/** The document without the refused fields; required ones get neutral stand-ins. */
function salvage(doc: Record<string, unknown>, bad: ReadonlySet<string>): RawScenario {
  const kept = Object.fromEntries(Object.entries(doc).filter(([k]) => !bad.has(k)));
  return { type: "", name: "-", filter: "true", ...kept } as RawScenario;
}

/** A key left empty in YAML (`description:`) reads as null; CrowdSec sees the zero value. */
function dropNulls(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v === null) continue;
    if (k === "scope" && isMapping(v)) out[k] = dropNulls(v);
    else if (k === "data" && Array.isArray(v))
      out[k] = v.map((d) => (isMapping(d) ? dropNulls(d) : d));
    else out[k] = v;
  }
  return out;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function issueDiagnostics(
  at: string,
  issue: z.core.$ZodIssue,
  doc: Record<string, unknown>,
): Diagnostic[] {
  const path = issue.path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const where = path ? `${path}.${key}` : key;
      const guess = path === "" ? closestField(key) : undefined;
      const fix = guess
        ? `did you mean ${guess}?`
        : `known fields: ${path === "" ? knownFields.join(", ") : "see the CrowdSec scenario format"}`;
      return error(
        "scenario.field.unknown",
        `${at}:${where}`,
        `unknown field ${JSON.stringify(key)}, which CrowdSec rejects; ${fix}`,
      );
    });
  }
  const value = valueAt(doc, issue.path);
  const last = [...issue.path].reverse().find((p) => typeof p === "string");
  const help = fieldHelp[String(last)] ?? "a different value (see the CrowdSec scenario format)";
  const message =
    value === undefined
      ? `${path} is required; it takes ${help}`
      : `${describeValue(value)} is not valid for ${path}; it takes ${help}`;
  return [
    error(
      value === undefined ? "scenario.field.missing" : "scenario.field.type",
      `${at}:${path}`,
      message,
    ),
  ];
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = doc;
  for (const p of path) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function duplicateNames(scenarios: readonly CompiledScenario[]): Diagnostic[] {
  const seen = new Map<string, CompiledScenario>();
  const out: Diagnostic[] = [];
  for (const s of scenarios) {
    const first = seen.get(s.name);
    if (!first) {
      seen.set(s.name, s);
      continue;
    }
    out.push(
      warning(
        "scenario.name.duplicate",
        `${s.file}#${s.index}:name`,
        `scenario ${JSON.stringify(s.name)} is also defined in ${first.file}#${first.index}; both run and each raises its own alerts, so remove one`,
      ),
    );
  }
  return out;
}
