import type { Node, NodeOf } from "../ast";
import type { Ctx, Scope } from "../compile-context";
import { compileNode } from "../compile-node";
import type { EvalCache } from "../eval-cache";
import { fileLines } from "../helpers-data";
import { type Fn, newRuntime } from "../runtime";
import {
  CASE_HELPERS,
  derivedSubject,
  type SubjectPath,
  subjectKey,
  subjectPath,
} from "../subject";
import { patternLiterals } from "./regex-literal";
import type { EqAtom, GuardClause, Subject, TextAtom } from "./types";

/** Guard leaves: comparisons of a subject with constants, and the atoms they give. */

function isFileCall(n: Node): n is NodeOf<"call"> {
  const arg = n.kind === "call" && n.name === "File" && n.args.length === 1 ? n.args[0] : undefined;
  return arg?.kind === "literal" && typeof arg.value === "string";
}

export interface GuardBuilder {
  readonly ctx: Ctx;
  /** The value of a constant node (`'lit'`, `Upper('lit')`, `['a', 'b']`), else undefined. */
  constant(node: Node): { value: unknown } | undefined;
  /** A constant list, or the lines of `File('name')`; null otherwise. */
  list(node: Node): readonly unknown[] | null;
  eqAtom(x: Node, value: unknown): EqAtom | null;
  /** `x contains literal` (or a regex literal when `flags`), ignoring ASCII case. */
  textAtom(x: Node, literal: string, flags: boolean): TextAtom | null;
  comparison(node: NodeOf<"binary">): GuardClause | null;
}

export function guardBuilder(ctx: Ctx, scope: Scope): GuardBuilder {
  // Guard parts compile in a context of their own: the expression's diagnostics stay as they were.
  const scratch: Ctx = {
    ...ctx,
    slots: 0,
    errors: [],
    warnings: [],
    compile: (n, s) => compileNode(n, s, scratch),
  };
  const subjects = new Map<string, Subject>();
  const subject = (node: Node): Subject | null => {
    const key = subjectKey(node, scope, scratch);
    if (key === null) return null;
    let s = subjects.get(key);
    if (!s) {
      const fn = scratch.compile(node, scope).fn;
      s = subjectProgram(key, fn, subjectPath(node, scope, scratch));
      const derived = derivedSubject(node, scope, scratch);
      if (derived) s = { ...s, derived };
      subjects.set(key, s);
    }
    return s;
  };
  const g: GuardBuilder = {
    ctx: scratch,
    constant(node) {
      const before = scratch.errors.length;
      const c = scratch.compile(node, scope);
      return c.constant && scratch.errors.length === before ? { value: c.value } : undefined;
    },
    list(node) {
      if (isFileCall(node) && !Object.hasOwn(scratch.functions, "File")) {
        return fileLines(scratch.data, (node.args[0] as NodeOf<"literal">).value as string);
      }
      const v = g.constant(node)?.value;
      return Array.isArray(v) ? v : null;
    },
    eqAtom(x, value) {
      const s = subject(x);
      const primitive = ["string", "number", "boolean"].includes(typeof value);
      return s && primitive ? { kind: "eq", subject: s, value: value as string } : null;
    },
    textAtom(x, literal, flags) {
      const { base, folded } = stripCase(x, scratch);
      const s = subject(base);
      const lit = asciiLiteral(literal);
      return s && lit !== ""
        ? { kind: "text", subject: s, literal: lit, fold: folded || flags }
        : null;
    },
    comparison: (node) => comparison(node, g),
  };
  return g;
}

function subjectProgram(key: string, fn: Fn, path: SubjectPath | null): Subject {
  const rt = newRuntime(0, 0);
  const run = (env: Record<string, unknown>, cache: EvalCache | null): unknown => {
    rt.cache = cache;
    const v = fn(env, rt);
    return v === undefined ? null : v;
  };
  return path ? { key, path, run } : { key, run };
}

/** `Upper(x)` → x: a case-insensitive test of x is implied by any test of Upper(x). */
function stripCase(x: Node, ctx: Ctx): { base: Node; folded: boolean } {
  let base = x;
  let folded = false;
  while (
    base.kind === "call" &&
    base.args.length === 1 &&
    CASE_HELPERS.has(base.name) &&
    !Object.hasOwn(ctx.functions, base.name)
  ) {
    base = base.args[0] as Node;
    folded = true;
  }
  return { base, folded };
}

/**
 * The longest ASCII run of `s`, lower-cased: containing `s` implies containing it. Empty
 * when `s` has none (such a literal gives no atom: it could not be told apart).
 */
function asciiLiteral(s: string): string {
  let best = "";
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i < s.length && s.charCodeAt(i) < 128) continue;
    if (i - start > best.length) best = s.slice(start, i);
    start = i + 1;
  }
  return best.toLowerCase();
}

function comparison(node: NodeOf<"binary">, g: GuardBuilder): GuardClause | null {
  switch (node.op) {
    case "==":
      return equality(node, g);
    case "in":
      return membership(node, g);
    case "contains":
    case "startsWith":
    case "endsWith": {
      const lit = g.constant(node.right);
      if (typeof lit?.value !== "string") return null;
      const atom = g.textAtom(node.left, lit.value, false);
      return atom ? [atom] : null;
    }
    case "matches":
      return matches(node, g);
    default:
      return null;
  }
}

function equality(node: NodeOf<"binary">, g: GuardBuilder): GuardClause | null {
  const r = g.constant(node.right);
  const atom = r ? g.eqAtom(node.left, r.value) : null;
  if (atom) return [atom];
  const l = g.constant(node.left);
  const flipped = l ? g.eqAtom(node.right, l.value) : null;
  return flipped ? [flipped] : null;
}

function membership(node: NodeOf<"binary">, g: GuardBuilder): GuardClause | null {
  const list = g.list(node.right);
  // A nil entry (`x in [nil]`) and non-primitive entries compare otherwise: no guard.
  if (!list) return null;
  const out: EqAtom[] = [];
  for (const v of list) {
    const atom = g.eqAtom(node.left, v);
    if (!atom) return null;
    out.push(atom);
  }
  return out;
}

function matches(node: NodeOf<"binary">, g: GuardBuilder): GuardClause | null {
  const pattern = g.constant(node.right)?.value;
  if (typeof pattern !== "string") return null;
  return patternClause(node.left, pattern, g);
}

/** `x matches pattern`: one atom per top-level alternative of the pattern. */
export function patternClause(x: Node, pattern: string, g: GuardBuilder): TextAtom[] | null {
  const p = patternLiterals(pattern);
  if (!p) return null;
  const out: TextAtom[] = [];
  for (const lit of p.literals) {
    const atom = g.textAtom(x, lit, p.flags);
    if (!atom) return null;
    out.push(atom);
  }
  return out;
}
