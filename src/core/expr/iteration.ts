import type { Node } from "./ast";
import { charge, fail, type Runtime } from "./runtime";
import { typeName } from "./values";

/** Shared by the predicate builtins: element lists, the per-iteration step charge, bool checks. */

export function items(v: unknown, fn: string): readonly unknown[] {
  if (Array.isArray(v)) return v;
  return fail(`${fn}: expects an array, got ${typeName(v)}`);
}

export function tick(rt: Runtime): void {
  if (++rt.steps > rt.budget) charge(rt, 0);
}

export function truth(v: unknown, fn: string): boolean {
  if (v === true || v === false) return v;
  return fail(`${fn}: the predicate must return a bool, got ${typeName(v)}`);
}

/** Whether `node` reads the current predicate's `#` (nested predicates have their own). */
export function refsPointer(node: Node): boolean {
  switch (node.kind) {
    case "pointer":
      return true;
    case "closure":
    case "literal":
    case "name":
      return false;
    default:
      return Object.values(node).some(
        (v) =>
          (Array.isArray(v) && v.some((x) => isNode(x) && refsPointer(x))) ||
          (isNode(v) && refsPointer(v)) ||
          (Array.isArray(v) &&
            v.some((x) => typeof x === "object" && x && isNode(x.value) && refsPointer(x.value))),
      );
  }
}

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && typeof (v as { kind?: unknown }).kind === "string";
}
