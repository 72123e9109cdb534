import type { Node, NodeOf } from "./ast";
import { type FixedCall, type FnDef, type HostFunction, memoised, type Site } from "./call-site";
import {
  type Compiled,
  type Ctx,
  dynamic,
  fold,
  report,
  type Scope,
  warn,
} from "./compile-context";
import { slotFor } from "./eval-cache";
import { FILE_ARGUMENT } from "./helpers-data";
import { compilePredicateCall, isPredicateBuiltin } from "./predicates";
import { knownFunctionNames, REGISTRY, UNSUPPORTED } from "./registry";
import type { Fn } from "./runtime";
import { helperKey } from "./subject";

/** Function calls: builtins, CrowdSec helpers (registry.ts) and host functions. */

function unknownFunction(node: NodeOf<"call">, ctx: Ctx): Compiled {
  const why = UNSUPPORTED[node.name];
  if (why) {
    return report(
      ctx,
      node.pos,
      "expr.unsupported-function",
      `${node.name}() is a CrowdSec helper Palisade does not implement: ${why}`,
    );
  }
  const lower = node.name.toLowerCase();
  const near = [...knownFunctionNames(), ...Object.keys(ctx.functions)].filter(
    (n) => n.toLowerCase() === lower,
  );
  const hint = near.length
    ? ` (did you mean ${near.map((n) => `${n}()`).join(" or ")}? names are case-sensitive)`
    : "";
  return report(ctx, node.pos, "expr.unknown-function", `unknown function ${node.name}()${hint}`);
}

function arityError(node: NodeOf<"call">, ctx: Ctx, min: number, max: number): Compiled {
  const want =
    min === max
      ? `${min}`
      : max === Number.POSITIVE_INFINITY
        ? `at least ${min}`
        : `${min} to ${max}`;
  const plural = max === 1 && min === 1 ? "argument" : "arguments";
  return report(
    ctx,
    node.pos,
    "expr.arity",
    `${node.name}() takes ${want} ${plural}, got ${node.args.length}`,
  );
}

export function compileCall(node: NodeOf<"call">, scope: Scope, ctx: Ctx): Compiled {
  if (isPredicateBuiltin(node.name)) return compilePredicateCall(node, scope, ctx);
  const host = Object.hasOwn(ctx.functions, node.name) ? ctx.functions[node.name] : undefined;
  if (host) return compileHostCall(node, host, scope, ctx);
  const def = REGISTRY[node.name];
  if (!def) return unknownFunction(node, ctx);
  if (node.args.length < def.min || node.args.length > def.max)
    return arityError(node, ctx, def.min, def.max);
  const args = node.args.map((a) => ctx.compile(a, scope));
  checkDataFile(node, args, ctx);
  const site: Site = { name: node.name, data: ctx.data, state: null };
  let fn = callFn(def, site, args, true);
  const key = args.every((a) => a.constant) ? null : helperKey(node, scope, ctx);
  if (key !== null) fn = cachedFn(slotFor(key), fn, callFn(def, site, args, false));
  return def.pure ? fold(ctx, node.pos, args, fn) : dynamic(fn);
}

function checkDataFile(node: NodeOf<"call">, args: readonly Compiled[], ctx: Ctx): void {
  const at = FILE_ARGUMENT[node.name];
  const arg = at === undefined ? undefined : args[at];
  if (!arg?.constant || typeof arg.value !== "string") return;
  if (ctx.data.lines(arg.value) === undefined) {
    warn(
      ctx,
      (node.args[at as number] as Node).pos,
      "expr.data.missing",
      `data file ${JSON.stringify(arg.value)} is not loaded: ${node.name}() will see it as empty (list it under the scenario's data: section)`,
    );
  }
}

function callFn(def: FnDef, site: Site, args: readonly Compiled[], memo: boolean): Fn {
  const fns = args.map((a) => a.fn);
  if (def.variadic) {
    const v = def.variadic;
    return (env, rt) =>
      v(
        rt,
        site,
        fns.map((f) => f(env, rt)),
      );
  }
  let call = def.call as FixedCall;
  if (memo && def.memo && fns.length === 1) call = memoised(def, call);
  const [a, b, c, d] = fns;
  switch (fns.length) {
    case 0:
      return (_env, rt) => call(rt, site, undefined, undefined, undefined, undefined);
    case 1:
      return (env, rt) => call(rt, site, (a as Fn)(env, rt), undefined, undefined, undefined);
    case 2:
      return (env, rt) =>
        call(rt, site, (a as Fn)(env, rt), (b as Fn)(env, rt), undefined, undefined);
    case 3:
      return (env, rt) =>
        call(rt, site, (a as Fn)(env, rt), (b as Fn)(env, rt), (c as Fn)(env, rt), undefined);
    default:
      return (env, rt) =>
        call(
          rt,
          site,
          (a as Fn)(env, rt),
          (b as Fn)(env, rt),
          (c as Fn)(env, rt),
          (d as Fn)(env, rt),
        );
  }
}

function compileHostCall(
  node: NodeOf<"call">,
  host: HostFunction,
  scope: Scope,
  ctx: Ctx,
): Compiled {
  if (node.args.length < host.minArgs || node.args.length > host.maxArgs) {
    return arityError(node, ctx, host.minArgs, host.maxArgs);
  }
  const fns = node.args.map((a) => ctx.compile(a, scope).fn);
  return dynamic((env, rt) => host.call(fns.map((f) => f(env, rt))));
}

/**
 * Wraps the closure of a subject with slot `slot`: with a cache, computed once per
 * generation (`raw`, not memoised: the cache already shares it); without one, `plain`.
 * A failing computation is not stored, so it fails again where the expression says.
 */
function cachedFn(slot: number, plain: Fn, raw: Fn): Fn {
  return (env, rt) => {
    const c = rt.cache;
    if (c === null) return plain(env, rt);
    if (c.stamps[slot] === c.gen) return c.values[slot];
    const v = raw(env, rt);
    c.store(slot, v);
    return v;
  };
}
