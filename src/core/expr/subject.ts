import type { Node, NodeOf } from "./ast";
import { type Ctx, lookupVar, type Scope } from "./compile-context";
import { slotFor } from "./eval-cache";
import { missingFor } from "./members";
import { pathSafe } from "./paths";
import { helperFunction } from "./registry";

/**
 * "Subjects": pure expressions of the event alone, such as `evt.Meta.http_path` or
 * `Upper(QueryUnescape(evt.Meta.http_path))`. Two occurrences with the same canonical key
 * have the same value for the same event, in any expression compiled anywhere: the key
 * spells out the whole computation (the `evt` variable, literal member keys, helpers of
 * this module's fixed table). That is what lets an engine compute one once per event for
 * every scenario (eval-cache.ts) and index scenarios by it (guard/).
 */

/** One-string-argument helpers with no side effects and no data files. */
const SUBJECT_HELPERS: ReadonlySet<string> = new Set([
  "Upper",
  "Lower",
  "upper",
  "lower",
  "PathUnescape",
  "QueryUnescape",
  "TrimSpace",
]);

/** Helpers that change letter case only: `Upper(x) contains L` can be tested on x. */
export const CASE_HELPERS: ReadonlySet<string> = new Set(["Upper", "Lower", "upper", "lower"]);

/** The variable all subjects start from. */
const ROOT = "evt";

/** `evt` as the run's variable: not shadowed by a `let`, and readable by this expression. */
function isEnvEvt(node: Node, scope: Scope, ctx: Ctx): boolean {
  return (
    node.kind === "name" &&
    node.name === ROOT &&
    lookupVar(scope, ROOT) === undefined &&
    (!ctx.names || ctx.names.has(ROOT))
  );
}

function pathKey(node: Node, scope: Scope, ctx: Ctx): string | null {
  if (isEnvEvt(node, scope, ctx)) return ROOT;
  if (node.kind !== "member" || node.optional || node.property.kind !== "literal") return null;
  const key = node.property.value;
  if (typeof key !== "string") return null;
  const of = pathKey(node.object, scope, ctx);
  return of === null ? null : `${of}[${JSON.stringify(key)}]`;
}

/**
 * A subject that is a plain field read (`evt.Meta.http_path`): its keys after `evt`, and
 * what an absent last key reads as on a plain object. Such a read can be done faster by
 * whoever reads many fields of one event; it must give the same value as running it.
 */
export interface SubjectPath {
  readonly keys: readonly string[];
  readonly missing: unknown;
}

export function subjectPath(node: Node, scope: Scope, ctx: Ctx): SubjectPath | null {
  const keys: string[] = [];
  let n = node;
  while (n.kind === "member" && !n.optional && n.property.kind === "literal") {
    const key = n.property.value;
    if (typeof key !== "string" || !pathSafe(key)) return null;
    keys.unshift(key);
    n = n.object;
  }
  if (keys.length === 0 || !isEnvEvt(n, scope, ctx)) return null;
  return { keys, missing: missingFor((node as NodeOf<"member">).object) };
}

/**
 * A subject that is a helper applied to a plain field read (`PathUnescape(evt.Meta.http_path)`):
 * a reader that has the field's value gets the subject's with `apply` (which throws what
 * the expression would), and stores it in the EvalCache at `slot` for the filters to share.
 */
export interface DerivedSubject {
  readonly base: SubjectPath;
  readonly slot: number;
  apply(v: unknown): unknown;
}

export function derivedSubject(node: Node, scope: Scope, ctx: Ctx): DerivedSubject | null {
  const key = helperKey(node, scope, ctx);
  if (key === null || node.kind !== "call") return null;
  const base = subjectPath(node.args[0] as Node, scope, ctx);
  const apply = base ? helperFunction(node.name, ctx) : null;
  return base && apply ? { base, slot: slotFor(key), apply } : null;
}

/** The canonical key of a subject, or null when `node` is not one. */
export function subjectKey(node: Node, scope: Scope, ctx: Ctx): string | null {
  if (node.kind !== "call") return pathKey(node, scope, ctx);
  return helperKey(node, scope, ctx);
}

/** The key of a subject that is a helper call (the only subjects worth caching). */
export function helperKey(node: Node, scope: Scope, ctx: Ctx): string | null {
  if (node.kind !== "call" || node.args.length !== 1 || !SUBJECT_HELPERS.has(node.name)) {
    return null;
  }
  // A host function of the same name replaces the helper: its result is the host's business.
  if (Object.hasOwn(ctx.functions, node.name)) return null;
  const arg = subjectKey(node.args[0] as Node, scope, ctx);
  return arg === null ? null : `${node.name}(${arg})`;
}
