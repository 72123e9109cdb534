import type { EvalCache } from "./eval-cache";

/**
 * What compiled closures share while one expression runs. One Runtime per compiled
 * expression is reused run after run (no allocation per run); a re-entrant run gets its own.
 */
export interface Runtime {
  steps: number;
  budget: number;
  /** Slots for `let` variables and predicate elements, numbered at compile time. */
  frame: unknown[];
  busy: boolean;
  /** Per-event values of shared subexpressions (see eval-cache.ts); null outside an engine's event. */
  cache: EvalCache | null;
}

export type Env = Readonly<Record<string, unknown>>;
export type Fn = (env: Env, rt: Runtime) => unknown;

export type ExprErrorCode = "expr.eval" | "expr.budget";

/**
 * A failure while evaluating an expression against one input (wrong operand type, index out
 * of range, step budget exhausted). It is about the data, not a bug: callers treat a filter
 * that fails as not matching and count the failure.
 */
export class ExprEvalError extends Error {
  override readonly name = "ExprEvalError";
  constructor(
    readonly code: ExprErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function fail(message: string): never {
  throw new ExprEvalError("expr.eval", message);
}

export function newRuntime(budget: number, slots: number): Runtime {
  return {
    steps: 0,
    budget,
    frame: new Array<unknown>(slots).fill(null),
    busy: false,
    cache: null,
  };
}

/** Charges `n` steps; loops (predicates, ranges, repeats) call this so no input runs unbounded. */
export function charge(rt: Runtime, n: number): void {
  rt.steps += n;
  if (rt.steps > rt.budget) {
    throw new ExprEvalError(
      "expr.budget",
      `evaluation exceeded its budget of ${rt.budget} steps (a predicate or range over too many elements)`,
    );
  }
}

/** What `a?.b` yields inside a member chain when `a` is nil: the chain then yields nil. */
export const SHORT: unique symbol = Symbol("short-circuit");
