import { compileRegex, type SafeRegex } from "../regex";
import type { NodeOf } from "./ast";
import { type Compiled, type Ctx, dynamic, report, type Scope } from "./compile-context";
import { fail } from "./runtime";
import { typeName } from "./values";

/**
 * `matches` with RE2 semantics. A literal pattern is compiled once, at compile time;
 * a computed one goes through a small bounded cache per call site.
 */

const DYNAMIC_CACHE_MAX = 64;

function subject(v: unknown): string {
  if (typeof v === "string") return v;
  return fail(`invalid operation: ${typeName(v)} matches string (the left side must be a string)`);
}

export function compileMatches(node: NodeOf<"binary">, scope: Scope, ctx: Ctx): Compiled {
  const l = ctx.compile(node.left, scope);
  const r = ctx.compile(node.right, scope);
  const lf = l.fn;
  if (r.constant) {
    if (typeof r.value !== "string") {
      return report(
        ctx,
        node.right.pos,
        "expr.type",
        `"matches" needs a string pattern, got ${typeName(r.value)}`,
      );
    }
    const re = compileRegex(r.value, { path: ctx.path });
    if (!re.ok) {
      const why = re.errors.map((e) => e.message).join("; ");
      return report(ctx, node.right.pos, "expr.regex", why);
    }
    const compiled = re.value;
    return dynamic((env, rt) => compiled.test(subject(lf(env, rt))));
  }
  const rf = r.fn;
  const cache = new Map<string, SafeRegex>();
  return dynamic((env, rt) => {
    const s = subject(lf(env, rt));
    const pattern = rf(env, rt);
    if (typeof pattern !== "string")
      return fail(`"matches" needs a string pattern, got ${typeName(pattern)}`);
    let re = cache.get(pattern);
    if (!re) {
      const c = compileRegex(pattern);
      if (!c.ok) return fail(c.errors.map((e) => e.message).join("; "));
      if (cache.size >= DYNAMIC_CACHE_MAX) cache.clear();
      re = c.value;
      cache.set(pattern, re);
    }
    return re.test(s);
  });
}
