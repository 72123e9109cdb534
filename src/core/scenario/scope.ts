import type { FieldReport } from "../diagnostic";
import type { CompiledExpr } from "../expr/index";
import type { RawScenario } from "./schema";
import type { ScenarioScope } from "./types";

const CANONICAL_SCOPES = new Map([
  ["ip", "Ip"],
  ["range", "Range"],
]);

/** The scenario's scope block, `Ip` when absent; undefined when it cannot be used. */
export function scopeOf(
  raw: RawScenario,
  expression: CompiledExpr | undefined,
  report: FieldReport,
): ScenarioScope | undefined {
  let type = raw.scope?.type ?? "Ip";
  const canonical = CANONICAL_SCOPES.get(type.toLowerCase());
  if (canonical && canonical !== type) {
    report(
      "scope.type",
      "scenario.scope.case",
      `scope type ${JSON.stringify(type)} is read as ${canonical}; write it as ${canonical}`,
      "warning",
    );
    type = canonical;
  }
  if (!canonical && !expression && raw.scope?.expression === undefined) {
    report(
      "scope.expression",
      "scenario.scope.expression",
      `the custom scope ${JSON.stringify(type)} needs an expression giving its value, e.g. expression: evt.Meta.target_user`,
    );
    return undefined;
  }
  const scope: ScenarioScope = { type };
  if (expression) scope.expression = expression;
  return scope;
}
