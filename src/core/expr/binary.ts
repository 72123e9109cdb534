import type { Node, NodeOf } from "./ast";
import { type Compiled, type Ctx, constant, dynamic, fold, type Scope } from "./compile-context";
import { fileLines } from "./helpers-data";
import { compileMatches } from "./matches";
import { charge, type Fn, fail } from "./runtime";
import { equal, isMap, isNil, less, ownGet, typeName } from "./values";

/** Binary operators, with fast paths when one side is a literal. */

export function compileBinary(node: NodeOf<"binary">, scope: Scope, ctx: Ctx): Compiled {
  const op = node.op;
  if (op === "matches") return compileMatches(node, scope, ctx);
  if (op === "in") return compileIn(node, scope, ctx);
  const l = ctx.compile(node.left, scope);
  const r = ctx.compile(node.right, scope);
  const fn = binaryFn(op, l, r);
  return fold(ctx, node.pos, [l, r], fn);
}

function bool(v: unknown, op: string): boolean {
  if (v === true || v === false) return v;
  return fail(`"${op}" needs bool operands, got ${typeName(v)}`);
}

function binaryFn(op: string, l: Compiled, r: Compiled): Fn {
  const [lf, rf] = [l.fn, r.fn];
  switch (op) {
    case "&&":
    case "and":
      return (env, rt) => (bool(lf(env, rt), op) ? rf(env, rt) : false);
    case "||":
    case "or":
      return (env, rt) => (bool(lf(env, rt), op) ? true : rf(env, rt));
    case "??":
      return (env, rt) => {
        const v = lf(env, rt);
        return isNil(v) ? rf(env, rt) : v;
      };
    case "==":
      return equality(l, r, false);
    case "!=":
      return equality(l, r, true);
    case "<":
    case ">":
    case "<=":
    case ">=":
      return comparison(op, lf, rf);
    case "contains":
    case "startsWith":
    case "endsWith":
      return stringOp(op, lf, rf);
    case "..":
      return (env, rt) => range(lf(env, rt), rf(env, rt), rt);
    default:
      return arithmetic(op, lf, rf);
  }
}

function isPrimitive(v: unknown): v is string | number | boolean {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

function equality(l: Compiled, r: Compiled, negate: boolean): Fn {
  const lit = r.constant ? r : l.constant ? l : null;
  const other = lit === r ? l.fn : r.fn;
  if (lit && isPrimitive(lit.value)) {
    const k = lit.value;
    return negate ? (env, rt) => other(env, rt) !== k : (env, rt) => other(env, rt) === k;
  }
  if (lit && isNil(lit.value)) {
    return negate ? (env, rt) => !isNil(other(env, rt)) : (env, rt) => isNil(other(env, rt));
  }
  const [lf, rf] = [l.fn, r.fn];
  return negate
    ? (env, rt) => !equal(lf(env, rt), rf(env, rt))
    : (env, rt) => equal(lf(env, rt), rf(env, rt));
}

function comparison(op: string, lf: Fn, rf: Fn): Fn {
  return (env, rt) => {
    const a = lf(env, rt);
    const b = rf(env, rt);
    if (typeof a === "number" && typeof b === "number") {
      return op === "<" ? a < b : op === ">" ? a > b : op === "<=" ? a <= b : a >= b;
    }
    return less(a, b, op);
  };
}

function stringOp(op: string, lf: Fn, rf: Fn): Fn {
  const check = (a: unknown, b: unknown): void => {
    if (typeof a !== "string" || typeof b !== "string") {
      fail(`invalid operation: ${typeName(a)} ${op} ${typeName(b)} (both sides must be strings)`);
    }
  };
  const test =
    op === "contains"
      ? (a: string, b: string) => a.includes(b)
      : op === "startsWith"
        ? (a: string, b: string) => a.startsWith(b)
        : (a: string, b: string) => a.endsWith(b);
  return (env, rt) => {
    const a = lf(env, rt);
    const b = rf(env, rt);
    if (typeof a === "string" && typeof b === "string") return test(a, b);
    check(a, b);
    return false;
  };
}

function arithmetic(op: string, lf: Fn, rf: Fn): Fn {
  return (env, rt) => {
    const a = lf(env, rt);
    const b = rf(env, rt);
    if (typeof a === "number" && typeof b === "number") {
      switch (op) {
        case "+":
          return a + b;
        case "-":
          return a - b;
        case "*":
          return a * b;
        case "/":
          return a / b;
        case "%":
          if (!Number.isInteger(a) || !Number.isInteger(b)) break;
          return b === 0 ? fail("integer divide by zero") : a % b;
        default:
          return a ** b;
      }
    }
    if (op === "+" && typeof a === "string" && typeof b === "string") return a + b;
    return fail(`invalid operation: ${typeName(a)} ${op} ${typeName(b)}`);
  };
}

function range(a: unknown, b: unknown, rt: Parameters<Fn>[1]): number[] {
  if (
    typeof a !== "number" ||
    typeof b !== "number" ||
    !Number.isInteger(a) ||
    !Number.isInteger(b)
  ) {
    return fail(`invalid operation: ${typeName(a)} .. ${typeName(b)} (both ends must be ints)`);
  }
  const n = Math.max(0, b - a + 1);
  charge(rt, n);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = a + i;
  return out;
}

/** expr's runtime.In: element of an array, key of a map; false on nil. */
function inOp(needle: unknown, container: unknown): boolean {
  if (isNil(container)) return false;
  if (Array.isArray(container)) {
    if (isPrimitive(needle) && container.length > 8 && Object.isFrozen(container)) {
      return frozenSet(container).has(needle);
    }
    for (const v of container) if (equal(v, needle)) return true;
    return false;
  }
  if (isMap(container)) {
    if (typeof needle !== "string" && typeof needle !== "number") {
      return fail(`cannot use ${typeName(needle)} as a map key for "in"`);
    }
    return ownGet(container, String(needle)) !== undefined;
  }
  return fail(`operator "in" not defined on ${typeName(container)}`);
}

const sets = new WeakMap<readonly unknown[], Set<unknown>>();

/** Frozen arrays (literals, data files) never change, so their Set is built once. */
function frozenSet(list: readonly unknown[]): Set<unknown> {
  let s = sets.get(list);
  if (!s) {
    s = new Set(list.filter(isPrimitive));
    sets.set(list, s);
  }
  return s;
}

function isFileCall(n: Node): n is NodeOf<"call"> {
  return (
    n.kind === "call" && n.name === "File" && n.args.length === 1 && n.args[0]?.kind === "literal"
  );
}

function compileIn(node: NodeOf<"binary">, scope: Scope, ctx: Ctx): Compiled {
  const l = ctx.compile(node.left, scope);
  const r = ctx.compile(node.right, scope);
  const lf = l.fn;
  if (r.constant && Array.isArray(r.value) && r.value.every((v) => isPrimitive(v) || isNil(v))) {
    const set = new Set<unknown>(r.value.filter(isPrimitive));
    const hasNil = r.value.some(isNil);
    if (l.constant) return constant(isNil(l.value) ? hasNil : set.has(l.value));
    return dynamic((env, rt) => {
      const v = lf(env, rt);
      return v === null || v === undefined ? hasNil : set.has(v);
    });
  }
  const fileName = isFileCall(node.right) ? (node.right.args[0] as NodeOf<"literal">).value : null;
  if (typeof fileName === "string") {
    const lines = fileLines(ctx.data, fileName);
    const set = frozenSet(lines);
    return dynamic((env, rt) => set.has(lf(env, rt) as string));
  }
  const rf = r.fn;
  return fold(ctx, node.pos, [l, r], (env, rt) => inOp(lf(env, rt), rf(env, rt)));
}
