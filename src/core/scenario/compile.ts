import { type BucketKind, bucketKinds, type KindSpec } from "../bucket/kinds";
import { limitFromLeakspeed } from "../bucket/limiter";
import {
  blackholeProcessor,
  cancelOnProcessor,
  conditionProcessor,
  distinctProcessor,
  overflowFilterProcessor,
} from "../bucket/option-processors";
import type { Processor } from "../bucket/processor";
import { type DataStore, emptyDataStore } from "../data";
import type { Diagnostic, FieldReport } from "../diagnostic";
import { parseDuration } from "../duration";
import type { CompiledExpr } from "../expr/index";
import { resolveData } from "./data-files";
import type { RawScenario } from "./schema";
import { scopeOf } from "./scope";
import type { CompiledScenario, ExprCompiler, ScenarioScope } from "./types";

/**
 * Events kept for an unbounded queue (capacity -1 without cache_size: counters and
 * conditionals). CrowdSec keeps them all; Palisade stores bucket state per key and
 * bounds it, keeping the newest, which is what hub conditions look at.
 */
export const UNBOUNDED_QUEUE_LIMIT = 250;

export interface CompileContext {
  file: string;
  index: number;
  report: FieldReport;
  /** Expression diagnostics (they carry their own path). */
  collect: (d: Diagnostic) => void;
  data: DataStore | undefined;
  compile: ExprCompiler;
  stepBudget: number | undefined;
}

/** Raw → compiled, reporting every problem; undefined when any of them is an error. */
export function compileScenario(
  raw: RawScenario,
  ctx: CompileContext,
): CompiledScenario | undefined {
  let failed = false;
  const report: FieldReport = (field, code, message, severity = "error") => {
    if (severity === "error") failed = true;
    ctx.report(field, code, message, severity);
  };
  const kind = kindOf(raw.type, report);
  const spec = kindSpec(raw, report);
  const blackhole = durationField(raw, "blackhole", report) ?? 0;
  checkDocumentFields(raw, report);
  kind?.validate(spec, report);
  const data = resolveData(raw, ctx.data, report);
  const exprs = compileExpressions(raw, { ...ctx, data, report }, () => {
    failed = true;
  });
  const scope = scopeOf(raw, exprs.scope, report);
  checkLabels(raw, report);
  if (failed || !kind || !exprs.filter || !scope) return undefined;
  return assemble(raw, ctx, { kind, spec, blackhole, exprs, scope, filter: exprs.filter });
}

interface Parts {
  kind: BucketKind;
  spec: KindSpec;
  blackhole: number;
  exprs: Expressions;
  scope: ScenarioScope;
  filter: CompiledExpr;
}

function assemble(raw: RawScenario, ctx: CompileContext, p: Parts): CompiledScenario {
  const capacity = p.spec.capacity ?? 0;
  const leakspeed = p.spec.leakspeed ?? 0;
  const duration = p.spec.duration ?? 0;
  const labels = raw.labels ?? {};
  const out: CompiledScenario = {
    name: raw.name,
    description: raw.description ?? "",
    file: ctx.file,
    index: ctx.index,
    kind: p.kind,
    filter: p.filter,
    capacity,
    leakspeed,
    limit: p.kind.limited && leakspeed > 0 ? limitFromLeakspeed(leakspeed) : 0,
    duration,
    lifetime: duration > 0 ? duration : p.kind.lifetime(p.spec),
    blackhole: p.blackhole,
    queueLimit: queueLimit(capacity, raw.cache_size ?? 0),
    scope: p.scope,
    labels,
    remediation: labels.remediation === true,
    reprocess: raw.reprocess === true,
    processors: processorsOf(p),
  };
  if (p.exprs.groupby) out.groupby = p.exprs.groupby;
  if (pourEffects(p.exprs)) out.effects = true;
  if (raw.version !== undefined) out.version = String(raw.version);
  return out;
}

/** Whether an expression the processors run may modify the event (filter and groupby aside). */
function pourEffects(exprs: Expressions): boolean {
  const run = [
    exprs.distinct,
    exprs.cancel_on,
    exprs.overflow_filter,
    exprs.condition,
    exprs.scope,
  ];
  return run.some((e) => e !== undefined && e.effects !== false);
}

/** CrowdSec's processor order: kind core, distinct, cancel_on, overflow_filter, blackhole, condition. */
function processorsOf(p: Parts): Processor[] {
  const list: Processor[] = [...p.kind.core];
  if (p.exprs.distinct) list.push(distinctProcessor(p.exprs.distinct));
  if (p.exprs.cancel_on) list.push(cancelOnProcessor(p.exprs.cancel_on));
  if (p.exprs.overflow_filter) list.push(overflowFilterProcessor(p.exprs.overflow_filter));
  if (p.blackhole > 0) list.push(blackholeProcessor);
  if (p.exprs.condition) list.push(conditionProcessor(p.exprs.condition));
  return list;
}

/** CrowdSec's queue size: the capacity, or cache_size when that is smaller or the bucket is unbounded. */
export function queueLimit(capacity: number, cacheSize: number): number {
  let size = capacity;
  if (cacheSize > 0 && (cacheSize <= capacity || capacity === -1)) size = cacheSize;
  return size < 0 ? UNBOUNDED_QUEUE_LIMIT : size;
}

/** CrowdSec bucket types Palisade knows of but does not run. */
const UNSUPPORTED_KINDS: Record<string, string> = {
  bayesian: "bayesian buckets are not supported by Palisade",
};

function kindOf(type: string, report: FieldReport): BucketKind | undefined {
  const kind = bucketKinds.get(type);
  if (kind) return kind;
  const known = [...bucketKinds.keys()].join(", ");
  const why = UNSUPPORTED_KINDS[type] ?? `unknown bucket type ${JSON.stringify(type)}`;
  report("type", "scenario.type.unknown", `${why}; use one of ${known}`);
  return undefined;
}

function kindSpec(raw: RawScenario, report: FieldReport): KindSpec {
  // A value already reported as unreadable becomes NaN, which kind rules neither call
  // missing nor out of range, so the problem is reported once.
  const timing = (field: "leakspeed" | "duration") =>
    raw[field] === undefined ? undefined : (durationField(raw, field, report) ?? Number.NaN);
  return {
    name: raw.name,
    capacity: raw.capacity,
    leakspeed: timing("leakspeed"),
    duration: timing("duration"),
    condition: raw.condition,
  };
}

function durationField(
  raw: RawScenario,
  field: "leakspeed" | "duration" | "blackhole",
  report: FieldReport,
): number | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  const ms = typeof value === "string" ? parseDuration(value) : undefined;
  if (ms !== undefined && ms >= 0) return ms;
  const why =
    typeof value === "number"
      ? `${value} has no unit`
      : `${JSON.stringify(value)} is not a ${ms === undefined ? "duration" : "positive duration"}`;
  report(
    field,
    `scenario.${field}.invalid`,
    `${why}; write a duration such as ${field}: 10s (units: ms, s, m, h)`,
  );
  return undefined;
}

function checkDocumentFields(raw: RawScenario, report: FieldReport): void {
  if (raw.name.trim() === "") {
    report(
      "name",
      "scenario.name.missing",
      "the scenario has an empty name; give it one, e.g. name: me/ssh-bf",
    );
  }
  if (!raw.description || raw.description.trim() === "") {
    report(
      "description",
      "scenario.description.missing",
      'CrowdSec requires a description; add one, e.g. description: "Detect ssh bruteforce"',
    );
  }
  if (raw.filter.trim() === "") {
    report(
      "filter",
      "scenario.filter.missing",
      "the filter is empty; write the expression selecting this scenario's events",
    );
  }
}

function checkLabels(raw: RawScenario, report: FieldReport): void {
  const r = raw.labels?.remediation;
  if (r !== undefined && typeof r !== "boolean") {
    report(
      "labels.remediation",
      "scenario.labels.remediation",
      `remediation is ${JSON.stringify(r)}, not a boolean, so CrowdSec treats it as false; write remediation: true or false`,
      "warning",
    );
  }
}

const EXPR_FIELDS = [
  "filter",
  "groupby",
  "distinct",
  "cancel_on",
  "overflow_filter",
  "condition",
] as const;
type ExprField = (typeof EXPR_FIELDS)[number] | "scope";
type Expressions = Partial<Record<ExprField, CompiledExpr>>;

/** The variables CrowdSec gives each expression; naming another is a compile error. */
const EXPR_NAMES: Record<ExprField, readonly string[]> = {
  filter: ["evt"],
  groupby: ["evt"],
  distinct: ["evt"],
  cancel_on: ["evt"],
  scope: ["evt"],
  condition: ["evt", "queue", "leaky"],
  overflow_filter: ["queue", "signal", "leaky"],
};

function compileExpressions(
  raw: RawScenario,
  ctx: CompileContext & { report: FieldReport },
  fail: () => void,
): Expressions {
  const out: Expressions = {};
  const sources: [ExprField, string | undefined][] = EXPR_FIELDS.map((f) => [f, raw[f]]);
  sources.push(["scope", raw.scope?.expression]);
  for (const [field, source] of sources) {
    if (source === undefined || source.trim() === "") continue;
    const path = `${ctx.file}#${ctx.index}:${field === "scope" ? "scope.expression" : field}`;
    const names = EXPR_NAMES[field];
    const r = ctx.compile(source, {
      path,
      names,
      data: ctx.data ?? emptyDataStore,
      ...budget(ctx),
    });
    if (r.ok) {
      out[field] = r.value;
      for (const w of r.warnings) ctx.collect(withPath(w, path));
    } else {
      fail();
      for (const e of r.errors) ctx.collect(withPath(e, path));
    }
  }
  return out;
}

function budget(ctx: CompileContext): { stepBudget?: number } {
  return ctx.stepBudget === undefined ? {} : { stepBudget: ctx.stepBudget };
}

function withPath(d: Diagnostic, path: string): Diagnostic {
  return d.path ? d : { ...d, path };
}
