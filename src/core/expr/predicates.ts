import { compileAnyFast } from "./any-list";
import type { Node, NodeOf } from "./ast";
import {
  allocSlots,
  type Compiled,
  type Ctx,
  dynamic,
  report,
  type Scope,
} from "./compile-context";
import { items, tick, truth } from "./iteration";
import { charge, type Fn, fail, type Runtime } from "./runtime";
import { typeName } from "./values";

/**
 * Builtins that take a predicate: all, any, none, one, filter, map, count, sum, find,
 * findIndex, findLast, findLastIndex, reduce. Each iteration costs one step of the budget.
 */

const ARITY: Record<string, [number, number]> = {
  all: [2, 2],
  any: [2, 2],
  none: [2, 2],
  one: [2, 2],
  filter: [2, 2],
  map: [2, 2],
  find: [2, 2],
  findIndex: [2, 2],
  findLast: [2, 2],
  findLastIndex: [2, 2],
  count: [1, 2],
  sum: [1, 2],
  reduce: [2, 3],
};

type Loop = (
  list: readonly unknown[],
  body: Fn,
  slot: number,
  env: Parameters<Fn>[0],
  rt: Runtime,
) => unknown;

/** Runs `body` per element until `stop(result)`; returns the index that stopped, or -1. */
function scan(
  list: readonly unknown[],
  body: Fn,
  slot: number,
  env: Parameters<Fn>[0],
  rt: Runtime,
  fn: string,
  want: boolean,
  reverse = false,
): number {
  const f = rt.frame;
  const n = list.length;
  for (let k = 0; k < n; k++) {
    const i = reverse ? n - 1 - k : k;
    tick(rt);
    f[slot] = list[i];
    f[slot + 1] = i;
    if (truth(body(env, rt), fn) === want) return i;
  }
  return -1;
}

const LOOPS: Record<string, Loop> = {
  all: (l, b, s, e, rt) => scan(l, b, s, e, rt, "all", false) < 0,
  any: (l, b, s, e, rt) => scan(l, b, s, e, rt, "any", true) >= 0,
  none: (l, b, s, e, rt) => scan(l, b, s, e, rt, "none", true) < 0,
  find: (l, b, s, e, rt) => l[scan(l, b, s, e, rt, "find", true)] ?? null,
  findIndex: (l, b, s, e, rt) => scan(l, b, s, e, rt, "findIndex", true),
  findLast: (l, b, s, e, rt) => l[scan(l, b, s, e, rt, "findLast", true, true)] ?? null,
  findLastIndex: (l, b, s, e, rt) => scan(l, b, s, e, rt, "findLastIndex", true, true),
  one: (l, b, s, e, rt) => collect(l, b, s, e, rt, "one", "count") === 1,
  count: (l, b, s, e, rt) => collect(l, b, s, e, rt, "count", "count"),
  filter: (l, b, s, e, rt) => collect(l, b, s, e, rt, "filter", "filter"),
  map: (l, b, s, e, rt) => collect(l, b, s, e, rt, "map", "map"),
  sum: (l, b, s, e, rt) => collect(l, b, s, e, rt, "sum", "sum"),
};

function collect(
  list: readonly unknown[],
  body: Fn,
  slot: number,
  env: Parameters<Fn>[0],
  rt: Runtime,
  fn: string,
  mode: "count" | "filter" | "map" | "sum",
): unknown {
  const f = rt.frame;
  const out: unknown[] = [];
  let n = 0;
  for (let i = 0; i < list.length; i++) {
    tick(rt);
    f[slot] = list[i];
    f[slot + 1] = i;
    const r = body(env, rt);
    if (mode === "map") out.push(r);
    else if (mode === "sum") {
      if (typeof r !== "number")
        fail(`sum: the predicate must return a number, got ${typeName(r)}`);
      n += r;
    } else if (truth(r, fn)) {
      n++;
      if (mode === "filter") out.push(list[i]);
    }
  }
  return mode === "count" ? n : mode === "sum" ? n : out;
}

function reduce(
  list: readonly unknown[],
  body: Fn,
  slot: number,
  env: Parameters<Fn>[0],
  rt: Runtime,
  init: Fn | null,
): unknown {
  const f = rt.frame;
  if (list.length === 0 && !init) return null;
  let acc = init ? init(env, rt) : list[0];
  for (let i = init ? 0 : 1; i < list.length; i++) {
    tick(rt);
    f[slot] = list[i];
    f[slot + 1] = i;
    f[slot + 2] = acc;
    acc = body(env, rt);
  }
  return acc;
}

/** `count(arr)` and `sum(arr)` without a predicate. */
function bare(name: string, list: readonly unknown[], rt: Runtime): unknown {
  charge(rt, list.length);
  if (name === "count") return list.filter((v) => truth(v, "count")).length;
  return list.reduce<number>((s, v) => {
    if (typeof v !== "number") fail(`sum: elements must be numbers, got ${typeName(v)}`);
    return s + v;
  }, 0);
}

export function isPredicateBuiltin(name: string): boolean {
  return name in ARITY;
}

export function compilePredicateCall(node: NodeOf<"call">, scope: Scope, ctx: Ctx): Compiled {
  const [min, max] = ARITY[node.name] as [number, number];
  const { args, name } = node;
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : `${min} or ${max}`;
    return report(
      ctx,
      node.pos,
      "expr.arity",
      `${name} expects ${want} arguments, got ${args.length}`,
    );
  }
  const src = ctx.compile(args[0] as Node, scope).fn;
  const pred = args[1];
  if (!pred) return dynamic((env, rt) => bare(name, items(src(env, rt), name), rt));
  if (pred.kind !== "closure")
    return report(ctx, pred.pos, "expr.syntax", `${name} needs a predicate as its second argument`);
  const slot = allocSlots(ctx, 3);
  const inner: Scope = { vars: new Map(), pointer: slot, parent: scope };
  if (name === "any") {
    const fast = compileAnyFast(pred.body, src, scope, ctx);
    if (fast) return fast;
  }
  const body = ctx.compile(pred.body, inner).fn;
  if (name === "reduce") {
    const init = args[2] ? ctx.compile(args[2], scope).fn : null;
    return dynamic((env, rt) => reduce(items(src(env, rt), name), body, slot, env, rt, init));
  }
  const loop = LOOPS[name] as Loop;
  return dynamic((env, rt) => loop(items(src(env, rt), name), body, slot, env, rt));
}
