import type { DataStore } from "../data";
import type { Diagnostic } from "../diagnostic";
import type { Node } from "./ast";
import type { HostFunction } from "./call-site";
import { type Env, ExprEvalError, type Fn, newRuntime } from "./runtime";

/** Shared types and helpers of the AST → closure compiler. */

export interface Compiled {
  readonly fn: Fn;
  /** Known at compile time (literals and pure operations on them). */
  readonly constant: boolean;
  readonly value: unknown;
}

/** Lexical scope: `let` variables and the current predicate's `#`, as frame slots. */
export interface Scope {
  readonly vars: ReadonlyMap<string, number>;
  /** Frame slot of `#` (then `#index`, `#acc`), or -1 outside predicates. */
  readonly pointer: number;
  readonly parent: Scope | null;
}

export interface Ctx {
  readonly src: string;
  readonly path: string;
  readonly data: DataStore;
  readonly names: ReadonlySet<string> | null;
  readonly functions: Readonly<Record<string, HostFunction>>;
  slots: number;
  readonly errors: Diagnostic[];
  readonly warnings: Diagnostic[];
  compile(node: Node, scope: Scope): Compiled;
}

export const ROOT_SCOPE: Scope = { vars: new Map(), pointer: -1, parent: null };

export function constant(value: unknown): Compiled {
  return { fn: () => value, constant: true, value };
}

export function dynamic(fn: Fn): Compiled {
  return { fn, constant: false, value: undefined };
}

/** Line, column (1-based) and a caret excerpt of a source offset. */
function locate(src: string, pos: number): string {
  const before = src.slice(0, pos);
  const line = before.split("\n").length;
  const lineStart = before.lastIndexOf("\n") + 1;
  const lineEnd = src.indexOf("\n", pos);
  const text = src.slice(lineStart, lineEnd < 0 ? src.length : lineEnd);
  const col = pos - lineStart + 1;
  const where = line > 1 || src.includes("\n") ? `line ${line}, column ${col}` : `column ${col}`;
  return `at ${where}:\n  ${text}\n  ${" ".repeat(col - 1)}^`;
}

export function diagnostic(ctx: Ctx, pos: number, code: string, message: string): Diagnostic {
  return { code, path: ctx.path, message: `${message} ${locate(ctx.src, pos)}`, severity: "error" };
}

/**
 * Records a compile error and returns a placeholder so compilation goes on and reports
 * further errors; the placeholder is not constant, so it causes no folding errors of its own.
 */
export function report(ctx: Ctx, pos: number, code: string, message: string): Compiled {
  ctx.errors.push(diagnostic(ctx, pos, code, message));
  return dynamic(() => null);
}

export function warn(ctx: Ctx, pos: number, code: string, message: string): void {
  ctx.warnings.push({ ...diagnostic(ctx, pos, code, message), severity: "warning" });
}

const NO_ENV: Env = Object.freeze(Object.create(null) as Env);

/** Folding stops here: a bigger constant (`1..1e9`) is left to run under the run's own budget. */
const FOLD_BUDGET = 10_000;

/**
 * Evaluates `fn` now when every part is constant. A failure on constant operands (like
 * `duration("ten")`) would fail on every input, so it is a compile error.
 */
export function fold(ctx: Ctx, pos: number, parts: readonly Compiled[], fn: Fn): Compiled {
  if (!parts.every((p) => p.constant)) return dynamic(fn);
  try {
    return constant(fn(NO_ENV, newRuntime(FOLD_BUDGET, 0)));
  } catch (e) {
    if (!(e instanceof ExprEvalError)) throw e;
    if (e.code === "expr.budget") return dynamic(fn);
    return report(ctx, pos, "expr.invalid", `${e.message}: this fails for every input`);
  }
}

export function allocSlots(ctx: Ctx, n: number): number {
  const first = ctx.slots;
  ctx.slots += n;
  return first;
}

export function lookupVar(scope: Scope, name: string): number | undefined {
  for (let s: Scope | null = scope; s; s = s.parent) {
    const slot = s.vars.get(name);
    if (slot !== undefined) return slot;
  }
  return undefined;
}
