import type { Node, NodeOf } from "./ast";
import { type Compiled, type Ctx, dynamic, lookupVar, type Scope } from "./compile-context";
import { fieldGetter, type Getter } from "./named-fields";
import type { Fn } from "./runtime";
import { BLOCKED_KEYS, fetch } from "./values";

/**
 * `evt.Meta.log_type` and other chains of literal keys compiled to a single closure: the
 * hot path of every filter. Each level reads an own property directly and only falls back
 * to the general fetch (nil errors, Go zero values, Maps, arrays) when that read misses.
 */

const hasOwn = Object.prototype.hasOwnProperty;

interface Level {
  key: string;
  get: Getter;
  /** What an absent key yields at this level ("" under Meta/Parsed/…, else nil). */
  missing: unknown;
}

/**
 * Keys a direct read could resolve through a prototype or an array: those go through the
 * general member access instead.
 */
export function pathSafe(key: string): boolean {
  return (
    !BLOCKED_KEYS.has(key) && !(key in Object.prototype) && key !== "length" && !/^\d/.test(key)
  );
}

function levels(
  node: NodeOf<"member">,
  missingFor: (object: Node) => unknown,
): { base: Node; levels: Level[] } | null {
  const out: Level[] = [];
  let n: Node = node;
  while (n.kind === "member" && !n.optional && n.property.kind === "literal") {
    const key = n.property.value;
    if (typeof key !== "string" || !pathSafe(key)) return null;
    out.push({ key, get: fieldGetter(key), missing: missingFor(n.object) });
    n = n.object;
  }
  return out.length === 0 ? null : { base: n, levels: out.reverse() };
}

function read(o: unknown, l: Level): unknown {
  if (typeof o === "object" && o !== null) {
    const v = l.get(o as Record<string, unknown>);
    if (v !== undefined && hasOwn.call(o, l.key)) return v;
  }
  return fetch(o, l.key, l.missing);
}

/** The `evt` variable of the run (an event), not a `let` of that name. */
function isEvt(base: Node, scope: Scope, ctx: Ctx): boolean {
  return (
    base.kind === "name" &&
    base.name === "evt" &&
    lookupVar(scope, "evt") === undefined &&
    (!ctx.names || ctx.names.has("evt"))
  );
}

function rootFn(base: Node, scope: Scope, ctx: Ctx): Fn {
  const name = base.kind === "name" ? base.name : "";
  const isEnvVar =
    base.kind === "name" &&
    name !== "$env" &&
    pathSafe(name) &&
    lookupVar(scope, name) === undefined &&
    (!ctx.names || ctx.names.has(name));
  if (!isEnvVar) return ctx.compile(base, scope).fn;
  const get = fieldGetter(name);
  return (env) => {
    const v = get(env as Record<string, unknown>);
    return v !== undefined && hasOwn.call(env, name) ? v : null;
  };
}

/**
 * CrowdSec's string maps on Palisade's own events (`evt.Meta`, `evt.Parsed`, `evt.Enriched`).
 * Parsers build them as plain objects holding only own data properties, and the key was
 * checked above not to exist on Object.prototype, so a string read from them is the
 * event's own value: the own-property check is skipped for strings. (This trusts that
 * nothing pollutes Object.prototype at run time; `evt.Unmarshaled` holds parsed JSON and
 * keeps the full check, as does everything else.)
 */
const EVENT_STRING_MAPS: ReadonlySet<string> = new Set(["Meta", "Parsed", "Enriched"]);

function eventField(root: Fn, map: Level, field: Level): Fn {
  const get = field.get;
  return (env, rt) => {
    const m = read(root(env, rt), map);
    if (typeof m === "object" && m !== null) {
      const v = get(m as Record<string, unknown>);
      if (typeof v === "string") return v;
    }
    return read(m, field);
  };
}

export function compilePath(
  node: NodeOf<"member">,
  scope: Scope,
  ctx: Ctx,
  missingFor: (object: Node) => unknown,
): Compiled | null {
  const p = levels(node, missingFor);
  if (!p) return null;
  const root = rootFn(p.base, scope, ctx);
  const ls = p.levels;
  if (ls.length === 2) {
    const [a, b] = ls as [Level, Level];
    if (isEvt(p.base, scope, ctx) && EVENT_STRING_MAPS.has(a.key)) {
      return dynamic(eventField(root, a, b));
    }
    return dynamic((env, rt) => read(read(root(env, rt), a), b));
  }
  if (ls.length === 1) {
    const a = ls[0] as Level;
    return dynamic((env, rt) => read(root(env, rt), a));
  }
  return dynamic((env, rt) => {
    let o = root(env, rt);
    for (let i = 0; i < ls.length; i++) o = read(o, ls[i] as Level);
    return o;
  });
}
