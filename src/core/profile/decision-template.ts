import { type ConfigDocument, lineSuffix, quote } from "../config-file";
import { type Diagnostic, error, warning } from "../diagnostic";
import { parseDuration } from "../duration";
import type { ProfileDecisionDocument } from "./schema";

/** One entry of a profile's `decisions:` list, validated. */
export interface DecisionTemplate {
  type: string;
  /** Milliseconds; the fallback when `duration_expr` fails. */
  duration: number;
  /** When absent, the alert's own source scope (CrowdSec's rule). */
  scope?: string;
  /** `palisade`, or `palisade/<origin>` when the entry names one. */
  origin: string;
  /** Diagnostic path of the entry, for runtime warnings. */
  path: string;
}

export const KNOWN_DECISION_TYPES: readonly string[] = ["ban", "captcha", "throttle"];

/** CrowdSec's default when a profile decision has no duration. */
const DEFAULT_DECISION_DURATION = "4h";

const TYPE_SHAPE = /^[A-Za-z][\w-]*$/;

/** Scope names as CrowdSec normalises them (`ip` → `Ip`); custom scopes pass through. */
export function normalizeScope(scope: string): string {
  switch (scope.toLowerCase()) {
    case "ip":
      return "Ip";
    case "range":
      return "Range";
    case "as":
      return "AS";
    case "country":
      return "Country";
    default:
      return scope;
  }
}

export function compileDecisionTemplate(
  d: ProfileDecisionDocument,
  doc: ConfigDocument,
  i: number,
  hasDurationExpr: boolean,
  diags: Diagnostic[],
): DecisionTemplate | undefined {
  const field = ["decisions", i];
  const path = doc.at(field);
  if (!checkType(d.type, doc, [...field, "type"], diags)) return undefined;
  if (d.simulated === true) {
    diags.push(
      warning(
        "profile.decision.simulated",
        path,
        `simulated decisions are never enforced, so Palisade drops this one${lineSuffix(doc, field)}; remove \`simulated: true\` to enforce it.`,
      ),
    );
    return undefined;
  }
  if (d.duration === undefined && !hasDurationExpr) {
    diags.push(
      warning(
        "profile.decision.duration.default",
        path,
        `no duration given${lineSuffix(doc, field)}: using CrowdSec's default ${DEFAULT_DECISION_DURATION}; add \`duration:\` to choose.`,
      ),
    );
  }
  const template: DecisionTemplate = {
    type: d.type,
    duration: parseDuration(d.duration ?? DEFAULT_DECISION_DURATION) as number,
    origin: d.origin ? `palisade/${d.origin}` : "palisade",
    path,
  };
  if (d.scope !== undefined) template.scope = normalizeScope(d.scope);
  return template;
}

function checkType(
  type: string,
  doc: ConfigDocument,
  field: readonly PropertyKey[],
  diags: Diagnostic[],
): boolean {
  if (KNOWN_DECISION_TYPES.includes(type)) return true;
  const at = doc.at(field);
  const line = lineSuffix(doc, field);
  const near = KNOWN_DECISION_TYPES.find((k) => editDistance(k, type.toLowerCase()) <= 2);
  if (!TYPE_SHAPE.test(type) || near !== undefined) {
    const hint = near
      ? `did you mean ${quote(near)}?`
      : "use ban, captcha, throttle or a custom word";
    diags.push(
      error("profile.decision.type", at, `decision type ${quote(type)}${line} is invalid: ${hint}`),
    );
    return false;
  }
  diags.push(
    warning(
      "profile.decision.type.custom",
      at,
      `custom decision type ${quote(type)}${line} is passed through as is; bouncers that do not know it ignore it.`,
    ),
  );
  return true;
}

/** Levenshtein distance, for "did you mean" hints on short words. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
