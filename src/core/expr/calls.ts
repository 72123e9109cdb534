import type { Node, NodeOf } from "./ast";
import { LANG_BUILTINS } from "./builtins";
import { type Compiled, type Ctx, dynamic, fold, report, type Scope, warn } from "./compiler";
import { cachedFn, slotFor } from "./cse";
import { type FixedCall, type FnDef, type HostFunction, memoised, type Site } from "./functions";
import { DATA_HELPERS, FILE_ARGUMENT } from "./helpers-data";
import { NET_HELPERS } from "./helpers-net";
import { TEXT_HELPERS } from "./helpers-text";
import { compileInChain } from "./members";
import { METHODS } from "./methods";
import { PREDICATE_BUILTINS } from "./operators";
import { compilePredicateCall, isPredicateBuiltin } from "./predicates";
import { type Fn, fail, newRuntime, SHORT } from "./runtime";
import { helperKey } from "./subject";
import { isNil, ownGet, typeName } from "./values";

/** Function calls (builtins, CrowdSec helpers, host functions) and method calls. */

const REGISTRY: Readonly<Record<string, FnDef>> = Object.freeze(
  Object.assign(Object.create(null), LANG_BUILTINS, TEXT_HELPERS, NET_HELPERS, DATA_HELPERS),
);

const NO_CLOCK =
  "core has no wall clock: compare event times (evt.Time, ms since the epoch) instead";
const NEEDS_LAPI =
  "it needs the local API's decision database; the host may provide it as a function";

/** CrowdSec helpers Palisade knows about but does not implement, and why. */
export const UNSUPPORTED: Readonly<Record<string, string>> = {
  now: NO_CLOCK,
  date: NO_CLOCK,
  TimeNow: NO_CLOCK,
  GetFromStash: "the stash (state shared between log lines, used by parsers) is not implemented",
  SetInStash: "the stash (state shared between log lines, used by parsers) is not implemented",
  CrowdsecCTI: "CTI lookups need the network",
  LookupHost: "DNS lookups need the network",
  Hostname: "core has no host name",
  GetDecisionsCount: NEEDS_LAPI,
  GetDecisionsSinceCount: NEEDS_LAPI,
  GetActiveDecisionsCount: NEEDS_LAPI,
  GetActiveDecisionsTimeLeft: NEEDS_LAPI,
  XMLGetNodeValue: "XML helpers (Windows event logs) are not implemented",
  XMLGetAttributeValue: "XML helpers (Windows event logs) are not implemented",
  ParseKVLax: "lax key=value parsing (UniFi CEF parser) is not implemented",
  GeoIPEnrich: "GeoIP databases are not bundled",
  GeoIPASNEnrich: "GeoIP databases are not bundled",
  GeoIPRangeEnrich: "GeoIP databases are not bundled",
  LibInjectionIsSQLI: "libinjection (AppSec) is not implemented",
  LibInjectionIsXSS: "libinjection (AppSec) is not implemented",
};

export function knownFunctionNames(): string[] {
  return [...Object.keys(REGISTRY), ...PREDICATE_BUILTINS];
}

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

/**
 * A one-argument helper of the registry as a plain function of its argument, for a caller
 * that already has the argument's value (a guard index reading event fields itself). It
 * throws what the call in an expression would throw; not memoised.
 */
export function helperFunction(name: string, ctx: Ctx): ((v: unknown) => unknown) | null {
  const def = REGISTRY[name];
  if (!def?.call || def.min > 1 || def.max < 1 || Object.hasOwn(ctx.functions, name)) return null;
  const call = def.call;
  const site: Site = { name, data: ctx.data, state: null };
  const rt = newRuntime(0, 0);
  return (v) => call(rt, site, v, undefined, undefined, undefined);
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
