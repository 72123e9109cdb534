import type { Node, NodeOf } from "./ast";
import { type Compiled, type Ctx, dynamic, fold, type Scope } from "./compile-context";
import { METHODS } from "./methods";
import { compilePath } from "./paths";
import { type Fn, fail, SHORT } from "./runtime";
import { BLOCKED_KEYS, fetch, isNil, ownGet, typeName } from "./values";

/**
 * Member access, method calls (`obj.Name(args)`), indexing and slicing. `?.` yields SHORT inside a chain so that a nil
 * short-circuits the rest of the chain, as in expr.
 */

/**
 * Maps Go types as map[string]string: a missing key reads as "" (Go's zero value), so
 * `evt.Parsed.x == ''` is true when the parser did not set x, exactly as in CrowdSec.
 */
const STRING_MAPS: ReadonlySet<string> = new Set(["Meta", "Parsed", "Enriched", "Labels"]);

/** What an absent key of `object` reads as: "" in CrowdSec's string maps, else nil. */
export function missingFor(object: Node): unknown {
  if (object.kind !== "member" || object.property.kind !== "literal") return null;
  const name = object.property.value;
  return typeof name === "string" && STRING_MAPS.has(name) ? "" : null;
}

export function compileInChain(node: Node, scope: Scope, ctx: Ctx): Compiled {
  if (node.kind === "member") return compileMember(node, scope, ctx, true);
  if (node.kind === "slice") return compileSlice(node, scope, ctx, true);
  if (node.kind === "method") return compileMethod(node, scope, ctx, true);
  return ctx.compile(node, scope);
}

const hasOwn = Object.prototype.hasOwnProperty;

function literalKey(of: Fn, key: string, missing: unknown): Fn {
  // fetch → ownGet refuses these even as own properties (a parsed JSON "constructor" key).
  if (BLOCKED_KEYS.has(key)) return (env, rt) => fetch(of(env, rt), key, missing);
  return (env, rt) => {
    const o = of(env, rt);
    if (typeof o === "object" && o !== null) {
      const v = (o as Record<string, unknown>)[key];
      if (v !== undefined && hasOwn.call(o, key) && !Array.isArray(o)) return v;
    }
    return fetch(o, key, missing);
  };
}

function indexKey(of: Fn, k: number, missing: unknown): Fn {
  return (env, rt) => {
    const o = of(env, rt);
    if (Array.isArray(o)) {
      const i = k < 0 ? o.length + k : k;
      if (i >= 0 && i < o.length) return o[i];
    }
    return fetch(o, k, missing);
  };
}

export function compileMember(node: Node, scope: Scope, ctx: Ctx, inChain: boolean): Compiled {
  if (node.kind !== "member") return compileInChain(node, scope, ctx);
  if (!inChain) {
    const path = compilePath(node, scope, ctx, missingFor);
    if (path) return path;
  }
  const obj = inChain ? compileInChain(node.object, scope, ctx) : ctx.compile(node.object, scope);
  const key = ctx.compile(node.property, scope);
  const missing = missingFor(node.object);
  let get: Fn;
  if (key.constant && typeof key.value === "string") get = literalKey(obj.fn, key.value, missing);
  else if (key.constant && typeof key.value === "number")
    get = indexKey(obj.fn, key.value, missing);
  else {
    const [of, kf] = [obj.fn, key.fn];
    get = (env, rt) => fetch(of(env, rt), kf(env, rt), missing);
  }
  if (!inChain) return fold(ctx, node.pos, [obj, key], get);
  const [of, kf, optional] = [obj.fn, key.fn, node.optional];
  return dynamic((env, rt) => {
    const o = of(env, rt);
    if (o === SHORT || (optional && isNil(o))) return SHORT;
    return fetch(o, kf(env, rt), missing);
  });
}

function bound(v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v === "number" && Number.isInteger(v)) return v;
  return fail(`slice bounds must be ints, got ${typeName(v)}`);
}

/** expr's runtime.Slice: negative bounds count from the end, everything clamped. */
export function slice(o: unknown, from: unknown, to: unknown): unknown {
  if (typeof o !== "string" && !Array.isArray(o)) return fail(`cannot slice ${typeName(o)}`);
  const len = o.length;
  let a = bound(from, 0);
  let b = bound(to, len);
  if (a < 0) a = Math.max(0, len + a);
  if (b < 0) b = Math.max(0, len + b);
  b = Math.min(b, len);
  a = Math.min(a, b);
  return o.slice(a, b);
}

export function compileSlice(
  node: NodeOf<"slice">,
  scope: Scope,
  ctx: Ctx,
  inChain: boolean,
): Compiled {
  const obj = inChain ? compileInChain(node.object, scope, ctx) : ctx.compile(node.object, scope);
  const from = node.from ? ctx.compile(node.from, scope) : null;
  const to = node.to ? ctx.compile(node.to, scope) : null;
  const [of, ff, tf] = [obj.fn, from?.fn, to?.fn];
  const fn: Fn = (env, rt) => {
    const o = of(env, rt);
    if (o === SHORT) return SHORT;
    return slice(o, ff?.(env, rt), tf?.(env, rt));
  };
  const parts = [obj, ...(from ? [from] : []), ...(to ? [to] : [])];
  return inChain ? dynamic(fn) : fold(ctx, node.pos, parts, fn);
}

export function compileMethod(
  node: NodeOf<"method">,
  scope: Scope,
  ctx: Ctx,
  inChain: boolean,
): Compiled {
  const obj = inChain ? compileInChain(node.object, scope, ctx) : ctx.compile(node.object, scope);
  const fns = node.args.map((a) => ctx.compile(a, scope).fn);
  const { name, optional } = node;
  const builtin = Object.hasOwn(METHODS, name) ? METHODS[name] : undefined;
  const of = obj.fn;
  return dynamic((env, rt) => {
    const o = of(env, rt);
    if (o === SHORT || (optional && isNil(o))) return SHORT;
    if (isNil(o)) return fail(`cannot call ${name}() on nil`);
    const args = fns.map((f) => f(env, rt));
    if (typeof o === "object" && !Array.isArray(o)) {
      const own = ownGet(o, name);
      if (typeof own === "function") return (own as (...a: unknown[]) => unknown).apply(o, args);
    }
    if (builtin) return builtin(o, args);
    return fail(`${typeName(o)} has no method ${name}()`);
  });
}
