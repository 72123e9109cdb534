import type { Node, NodeOf } from "./ast";
import { compileBinary } from "./binary";
import { compileCall } from "./calls";
import {
  allocSlots,
  type Compiled,
  type Ctx,
  constant,
  dynamic,
  fold,
  lookupVar,
  report,
  type Scope,
} from "./compile-context";
import { compileInChain, compileMember, compileMethod, compileSlice } from "./members";
import { type Fn, fail, SHORT } from "./runtime";
import { ownGet, typeName } from "./values";

/** AST → closures. Each node becomes one `(env, rt) => value` function, built once. */

export function compileNode(node: Node, scope: Scope, ctx: Ctx): Compiled {
  switch (node.kind) {
    case "literal":
      return constant(node.value);
    case "name":
      return compileName(node, scope, ctx);
    case "pointer":
      return compilePointer(node, scope, ctx);
    case "member":
      return compileMember(node, scope, ctx, false);
    case "slice":
      return compileSlice(node, scope, ctx, false);
    case "chain": {
      const inner = compileInChain(node.node, scope, ctx);
      const f = inner.fn;
      return dynamic((env, rt) => {
        const v = f(env, rt);
        return v === SHORT ? null : v;
      });
    }
    case "call":
      return compileCall(node, scope, ctx);
    case "method":
      return compileMethod(node, scope, ctx, false);
    case "unary":
      return compileUnary(node, scope, ctx);
    case "binary":
      return compileBinary(node, scope, ctx);
    case "conditional":
      return compileConditional(node, scope, ctx);
    case "array":
      return compileArray(node, scope, ctx);
    case "map":
      return compileMap(node, scope, ctx);
    case "closure":
      return report(
        ctx,
        node.pos,
        "expr.syntax",
        "a predicate { … } is only valid as a builtin's argument",
      );
    case "let":
      return compileLet(node, scope, ctx);
    case "sequence":
      return compileSequence(node, scope, ctx);
  }
}

const hasOwn = Object.prototype.hasOwnProperty;

function compileName(node: NodeOf<"name">, scope: Scope, ctx: Ctx): Compiled {
  const slot = lookupVar(scope, node.name);
  if (slot !== undefined) return dynamic((_env, rt) => rt.frame[slot]);
  if (node.name === "$env") return dynamic((env) => env);
  if (ctx.names && !ctx.names.has(node.name)) {
    const known = [...ctx.names].map((n) => `"${n}"`).join(", ");
    return report(
      ctx,
      node.pos,
      "expr.unknown-name",
      `unknown name "${node.name}" (this expression can read ${known || "no variables"})`,
    );
  }
  const name = node.name;
  return dynamic((env) => {
    const v = env[name];
    if (v !== undefined && hasOwn.call(env, name)) return v;
    return ownGet(env, name) ?? null;
  });
}

function compilePointer(node: NodeOf<"pointer">, scope: Scope, ctx: Ctx): Compiled {
  let s: Scope | null = scope;
  while (s && s.pointer < 0) s = s.parent;
  if (!s) return report(ctx, node.pos, "expr.syntax", "`#` is only valid inside a predicate");
  const offset = { "": 0, index: 1, acc: 2 }[node.name];
  if (offset === undefined) {
    return report(
      ctx,
      node.pos,
      "expr.syntax",
      `unknown pointer "#${node.name}" (use #, #index or #acc)`,
    );
  }
  const slot = s.pointer + offset;
  return dynamic((_env, rt) => rt.frame[slot]);
}

function bool(v: unknown, what: string): boolean {
  if (v === true || v === false) return v;
  return fail(`${what} needs a bool, got ${typeName(v)}`);
}

function compileUnary(node: NodeOf<"unary">, scope: Scope, ctx: Ctx): Compiled {
  const operand = ctx.compile(node.operand, scope);
  const f = operand.fn;
  let fn: Fn;
  if (node.op === "not") fn = (env, rt) => !bool(f(env, rt), '"not"');
  else {
    const neg = node.op === "-";
    fn = (env, rt) => {
      const v = f(env, rt);
      if (typeof v !== "number") fail(`invalid operation: ${node.op}${typeName(v)}`);
      return neg ? -v : v;
    };
  }
  return fold(ctx, node.pos, [operand], fn);
}

function compileConditional(node: NodeOf<"conditional">, scope: Scope, ctx: Ctx): Compiled {
  const c = ctx.compile(node.cond, scope);
  const t = ctx.compile(node.yes, scope);
  const e = ctx.compile(node.no, scope);
  if (c.constant && (c.value === true || c.value === false)) return c.value ? t : e;
  const [cf, tf, ef] = [c.fn, t.fn, e.fn];
  return dynamic((env, rt) => (bool(cf(env, rt), "a condition") ? tf(env, rt) : ef(env, rt)));
}

function compileArray(node: NodeOf<"array">, scope: Scope, ctx: Ctx): Compiled {
  const items = node.items.map((n) => ctx.compile(n, scope));
  if (items.every((i) => i.constant)) return constant(Object.freeze(items.map((i) => i.value)));
  const fns = items.map((i) => i.fn);
  return dynamic((env, rt) => fns.map((f) => f(env, rt)));
}

function compileMap(node: NodeOf<"map">, scope: Scope, ctx: Ctx): Compiled {
  const entries = node.entries.map((e) => ({ key: e.key, value: ctx.compile(e.value, scope) }));
  const build: Fn = (env, rt) => {
    // A null prototype makes a "__proto__" key an ordinary own property.
    const out = Object.create(null) as Record<string, unknown>;
    for (const e of entries) out[e.key] = e.value.fn(env, rt);
    return out;
  };
  // Never folded: a map is mutable (UnmarshalJSON, SetMeta), so each run gets its own.
  return dynamic(build);
}

function compileLet(node: NodeOf<"let">, scope: Scope, ctx: Ctx): Compiled {
  const value = ctx.compile(node.value, scope);
  const slot = allocSlots(ctx, 1);
  const inner: Scope = { vars: new Map([[node.name, slot]]), pointer: -1, parent: scope };
  const body = ctx.compile(node.body, inner);
  const [vf, bf] = [value.fn, body.fn];
  return dynamic((env, rt) => {
    rt.frame[slot] = vf(env, rt);
    return bf(env, rt);
  });
}

function compileSequence(node: NodeOf<"sequence">, scope: Scope, ctx: Ctx): Compiled {
  const fns = node.nodes.map((n) => ctx.compile(n, scope).fn);
  return dynamic((env, rt) => {
    let v: unknown = null;
    for (const f of fns) v = f(env, rt);
    return v;
  });
}
