import type { Node } from "./ast";
import { type Compiled, type Ctx, dynamic, type Scope } from "./compile-context";
import { goLower, goUpper } from "./gostrings";
import { items, refsPointer, tick } from "./iteration";
import { type MultiMatcher, type MultiOp, multiMatcher } from "./multimatch";
import { charge, type Fn, fail, type Runtime } from "./runtime";
import { typeName } from "./values";

/**
 * `any(list, {X contains #})`, `{X == #}`, `{X startsWith Upper(#)}`…, where X does not
 * depend on `#`: the hub's way to test a value against a data file. X is evaluated once
 * per run instead of once per element; for a frozen list of strings (data files, literals)
 * the mapped list and a multi-pattern matcher are built once, so a run is linear in X
 * whatever the list's length. Anything else takes the element-by-element loop, whose
 * results and errors are those of the plain evaluation.
 */

const ELEMENT_MAPS: Record<string, (s: string) => string> = {
  Upper: goUpper,
  Lower: goLower,
  upper: goUpper,
  lower: goLower,
};

const TESTS: Record<MultiOp, (a: string, b: string) => boolean> = {
  "==": (a, b) => a === b,
  contains: (a, b) => a.includes(b),
  startsWith: (a, b) => a.startsWith(b),
  endsWith: (a, b) => a.endsWith(b),
};

/** `#` itself (null), Upper/Lower of `#`, or undefined for anything else. */
function elementSide(n: Node): ((s: string) => string) | null | undefined {
  if (n.kind === "pointer" && n.name === "") return null;
  const arg = n.kind === "call" && n.args.length === 1 ? n.args[0] : undefined;
  if (arg?.kind === "pointer" && arg.name === "" && n.kind === "call") return ELEMENT_MAPS[n.name];
  return undefined;
}

interface Shape {
  op: MultiOp;
  invariant: Node;
  map: ((s: string) => string) | null;
  /** The element is the right operand (`X op #`), the usual hub form. */
  elementRight: boolean;
}

function shape(body: Node): Shape | null {
  if (body.kind !== "binary" || !(body.op in TESTS)) return null;
  const op = body.op as MultiOp;
  const right = elementSide(body.right);
  if (right !== undefined && !refsPointer(body.left))
    return { op, invariant: body.left, map: right, elementRight: true };
  const left = elementSide(body.left);
  if (left !== undefined && !refsPointer(body.right))
    return { op, invariant: body.right, map: left, elementRight: false };
  return null;
}

function loop(els: readonly unknown[], x: string, s: Shape, rt: Runtime): boolean {
  const test = TESTS[s.op];
  for (const e of els) {
    tick(rt);
    if (typeof e !== "string")
      return fail(`invalid operation in any: string ${s.op} ${typeName(e)}`);
    if (s.elementRight ? test(x, e) : test(e, x)) return true;
  }
  return false;
}

export function compileAnyFast(body: Node, src: Fn, scope: Scope, ctx: Ctx): Compiled | null {
  const s = shape(body);
  if (!s) return null;
  const inv = ctx.compile(s.invariant, scope).fn;
  // A matcher answers "x op some entry"; `# == x` is symmetric, other ops only `x op #`.
  const matchable = s.elementRight || s.op === "==";
  const matchers = new WeakMap<readonly unknown[], MultiMatcher | null>();
  const build = (list: readonly unknown[]): MultiMatcher | null => {
    if (!matchable || !list.every((v) => typeof v === "string")) return null;
    const mapped = s.map ? (list as string[]).map(s.map) : (list as string[]);
    return multiMatcher(s.op, mapped);
  };
  return dynamic((env, rt) => {
    const list = items(src(env, rt), "any");
    if (list.length === 0) return false;
    const x = inv(env, rt);
    if (typeof x !== "string")
      return fail(`invalid operation in any: ${typeName(x)} ${s.op} string`);
    if (Object.isFrozen(list)) {
      let m = matchers.get(list);
      if (m === undefined) {
        m = build(list);
        matchers.set(list, m);
      }
      if (m) {
        charge(rt, list.length);
        return m(x);
      }
    }
    const map = s.map;
    const els = map ? list.map((v) => (typeof v === "string" ? map(v) : v)) : list;
    return loop(els, x, s, rt);
  });
}
