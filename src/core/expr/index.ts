import type { DataStore } from "../data";
import type { Result } from "../diagnostic";

export interface ExprOptions {
  /** Where the expression comes from, used in diagnostics (`ssh-bf.yaml#0:filter`). */
  path?: string;
  /** Data files for `File`, `RegexpInFile`, … */
  data?: DataStore;
  /** Maximum evaluation steps per run; exceeding it is an evaluation error. */
  stepBudget?: number;
}

/** An expression compiled once to closures; `run` evaluates it against named variables. */
export interface CompiledExpr {
  readonly source: string;
  run(env: Record<string, unknown>): unknown;
}

export function compileExpr(source: string, _options: ExprOptions = {}): Result<CompiledExpr> {
  return {
    ok: false,
    errors: [
      {
        code: "expr.unimplemented",
        path: _options.path ?? "",
        message: `expression interpreter not built yet: ${source}`,
        severity: "error",
      },
    ],
  };
}
