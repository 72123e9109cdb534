import { type DataStore, emptyDataStore } from "../data";
import type { Result } from "../diagnostic";
import type { Node } from "./ast";
import type { HostFunction } from "./call-site";
import { type Ctx, diagnostic, ROOT_SCOPE, type Scope } from "./compile-context";
import { compileNode } from "./compile-node";
import { hasEffects } from "./effects";
import type { EvalCache } from "./eval-cache";
import { deriveGuard, type ExprGuard } from "./guard/index";
import { SyntaxFailure } from "./lexer";
import { parse } from "./parser";
import { ExprEvalError, type Fn, newRuntime, type Runtime } from "./runtime";

/**
 * CrowdSec's `expr` language (antonmedv/expr as embedded in CrowdSec), compiled once to
 * closures — Workers forbid eval — and run against plain objects with CrowdSec's field
 * names. README.md in this folder describes the value model, the helpers and what callers
 * must do with evaluation errors.
 */

export type { HostFunction } from "./call-site";
export { EvalCache } from "./eval-cache";
export type {
  EqAtom,
  ExprGuard,
  GuardAtom,
  GuardClause,
  Subject,
  TextAtom,
} from "./guard/index";
export { UNSUPPORTED as UNSUPPORTED_HELPERS } from "./registry";
export type { ExprErrorCode } from "./runtime";
export { ExprEvalError } from "./runtime";
export type { DerivedSubject, SubjectPath } from "./subject";
export { formatValue as exprToString } from "./values";

const DEFAULT_STEP_BUDGET = 100_000;

export interface ExprOptions {
  /** Where the expression comes from, used in diagnostics (`ssh-bf.yaml#0:filter`). */
  path?: string;
  /** Data files for `File`, `RegexpInFile`, `LookupFile`, … */
  data?: DataStore;
  /** Maximum evaluation steps per run (predicate iterations, range elements); default 100,000. */
  stepBudget?: number;
  /** The variables the expression may read (`evt`, `queue`, `leaky`, `Alert`); others are compile errors. */
  names?: readonly string[];
  /** Extra functions the host provides, callable by name; they take precedence over helpers. */
  functions?: Readonly<Record<string, HostFunction>>;
}

/** An expression compiled once to closures; `run` evaluates it against named variables. */
export interface CompiledExpr {
  readonly source: string;
  /**
   * The expression's value (nil is `null`). Throws ExprEvalError when the input makes
   * evaluation fail (wrong operand types, index out of range, step budget exceeded); any
   * other exception is a bug. With a `cache` (an engine's, for the event in `env.evt`),
   * subexpressions of the event shared with other expressions are computed once per
   * event (eval-cache.ts); the result is the same.
   */
  run(env: Record<string, unknown>, cache?: EvalCache | null): unknown;
  /** A necessary condition for yielding true (guard/); absent when none is known. */
  readonly guard?: ExprGuard;
  /** Whether a run may modify its inputs (effects.ts); absent means it may. */
  readonly effects?: boolean;
}

export function compileExpr(source: string, options: ExprOptions = {}): Result<CompiledExpr> {
  const ctx: Ctx = {
    src: source,
    path: options.path ?? "",
    data: options.data ?? emptyDataStore,
    names: options.names ? new Set(options.names) : null,
    functions: options.functions ?? {},
    slots: 0,
    errors: [],
    warnings: [],
    compile: (node: Node, scope: Scope) => compileNode(node, scope, ctx),
  };
  let ast: Node;
  try {
    ast = parse(source);
  } catch (e) {
    if (!(e instanceof SyntaxFailure)) throw e;
    return {
      ok: false,
      errors: [diagnostic(ctx, e.pos, "expr.syntax", `syntax error: ${e.message}`)],
    };
  }
  const root = ctx.compile(ast, ROOT_SCOPE).fn;
  if (ctx.errors.length > 0) return { ok: false, errors: ctx.errors };
  const budget = options.stepBudget ?? DEFAULT_STEP_BUDGET;
  const value = new Program(source, root, newRuntime(budget, ctx.slots), hasEffects(ast, ctx));
  const guard = deriveGuard(ast, ctx);
  if (guard) value.guard = guard;
  return { ok: true, value, warnings: ctx.warnings };
}

class Program implements CompiledExpr {
  guard?: ExprGuard;

  constructor(
    readonly source: string,
    private readonly root: Fn,
    private readonly rt: Runtime,
    readonly effects: boolean,
  ) {}

  run(env: Record<string, unknown>, cache: EvalCache | null = null): unknown {
    let rt = this.rt;
    // A host function may run this same expression again; that run gets its own frame.
    if (rt.busy) rt = newRuntime(rt.budget, rt.frame.length);
    rt.busy = true;
    rt.steps = 0;
    rt.cache = cache;
    try {
      const v = this.root(env, rt);
      return v === undefined ? null : v;
    } catch (e) {
      // Strings or arrays grown past the engine's limits: the input's fault, not a bug.
      if (e instanceof RangeError)
        throw new ExprEvalError("expr.eval", `evaluation failed: ${e.message}`);
      throw e;
    } finally {
      rt.busy = false;
    }
  }
}
