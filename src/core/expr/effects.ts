import type { Node } from "./ast";
import type { Ctx } from "./compile-context";
import { METHODS } from "./methods";

/**
 * Whether running an expression may modify its inputs: `evt.SetMeta(…)` (the hub's
 * http-cve-probing does it in a filter), `UnmarshalJSON` into a map, a host function, or a
 * method the fixed table does not have (a host object's own function). Whoever caches
 * values derived from the event (eval-cache.ts, guards) must drop them after such a run.
 */

const MUTATING_METHODS: ReadonlySet<string> = new Set(["SetMeta", "SetParsed"]);
const MUTATING_HELPERS: ReadonlySet<string> = new Set(["UnmarshalJSON"]);

export function hasEffects(node: Node, ctx: Ctx): boolean {
  if (node.kind === "method") {
    if (MUTATING_METHODS.has(node.name) || !Object.hasOwn(METHODS, node.name)) return true;
  }
  if (node.kind === "call") {
    if (MUTATING_HELPERS.has(node.name) || Object.hasOwn(ctx.functions, node.name)) return true;
  }
  return children(node).some((c) => hasEffects(c, ctx));
}

function children(node: Node): Node[] {
  switch (node.kind) {
    case "literal":
    case "name":
    case "pointer":
      return [];
    case "member":
      return [node.object, node.property];
    case "slice":
      return [node.object, ...(node.from ? [node.from] : []), ...(node.to ? [node.to] : [])];
    case "chain":
      return [node.node];
    case "call":
      return node.args;
    case "method":
      return [node.object, ...node.args];
    case "unary":
      return [node.operand];
    case "binary":
      return [node.left, node.right];
    case "conditional":
      return [node.cond, node.yes, node.no];
    case "array":
      return node.items;
    case "map":
      return node.entries.map((e) => e.value);
    case "closure":
      return [node.body];
    case "let":
      return [node.value, node.body];
    case "sequence":
      return node.nodes;
  }
}
