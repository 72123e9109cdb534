import type { DataStore } from "../data";
import { fail, type Runtime } from "./runtime";
import { formatValue, isNil, typeName } from "./values";

/** Per call site state, created at compile time (caches that belong to one call). */
export interface Site {
  readonly name: string;
  readonly data: DataStore;
  state: unknown;
}

export type FixedCall = (
  rt: Runtime,
  site: Site,
  a: unknown,
  b: unknown,
  c: unknown,
  d: unknown,
) => unknown;

export interface FnDef {
  min: number;
  /** Infinity for variadic functions, which get `variadic` instead of `call`. */
  max: number;
  /** No side effects and no data files: folded at compile time when every argument is constant. */
  pure?: boolean;
  /** Results of one-string-argument calls are cached (bounded), shared by every expression. */
  memo?: boolean;
  call?: FixedCall;
  variadic?: (rt: Runtime, site: Site, args: unknown[]) => unknown;
}

/** A function the host adds (profiles: decisions counts, …). */
export interface HostFunction {
  minArgs: number;
  maxArgs: number;
  call(args: readonly unknown[]): unknown;
}

export function str(v: unknown, fn: string, n: number): string {
  if (typeof v === "string") return v;
  return fail(`${fn}: argument ${n} must be a string, got ${typeName(v)} ${describeValue(v)}`);
}

export function int(v: unknown, fn: string, n: number): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  return fail(`${fn}: argument ${n} must be an int, got ${typeName(v)} ${describeValue(v)}`);
}

export function num(v: unknown, fn: string, n: number): number {
  if (typeof v === "number") return v;
  return fail(`${fn}: argument ${n} must be a number, got ${typeName(v)} ${describeValue(v)}`);
}

export function arr(v: unknown, fn: string, n: number): readonly unknown[] {
  if (Array.isArray(v)) return v;
  return fail(`${fn}: argument ${n} must be an array, got ${typeName(v)} ${describeValue(v)}`);
}

export function strings(v: unknown, fn: string, n: number): readonly string[] {
  const a = arr(v, fn, n);
  for (const x of a)
    if (typeof x !== "string") fail(`${fn}: argument ${n} must be an array of strings`);
  return a as readonly string[];
}

function describeValue(v: unknown): string {
  if (isNil(v)) return "";
  const text = formatValue(v);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

const MEMO_MAX_ENTRIES = 2048;
const MEMO_MAX_LENGTH = 512;
const memos = new WeakMap<FnDef, Map<string, unknown>>();

/**
 * Caches a pure one-string-argument helper. Every scenario calls `Upper(evt.Meta.http_path)`
 * on the same line, and predicates call `Upper(#)` on the same data file entries line after
 * line: the cache turns those into a lookup. Bounded in entries and key length, so
 * attacker-chosen strings cannot grow it without limit.
 */
export function memoised(def: FnDef, call: FixedCall): FixedCall {
  let cache = memos.get(def);
  if (!cache) {
    cache = new Map();
    memos.set(def, cache);
  }
  const memo = cache;
  // The same field is usually passed by several scenarios in a row: an identity check first.
  let lastIn: string | undefined;
  let lastOut: unknown;
  return (rt, site, a, b, c, d) => {
    if (a === lastIn) return lastOut;
    if (typeof a !== "string" || a.length > MEMO_MAX_LENGTH) return call(rt, site, a, b, c, d);
    let out = memo.get(a);
    if (out === undefined) {
      out = call(rt, site, a, b, c, d);
      if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
      memo.set(a, out);
    }
    lastIn = a;
    lastOut = out;
    return out;
  };
}

/** A bounded cache for per-site state (compiled dynamic regexes, parsed CIDRs, …). */
export function boundedCache<V>(site: Site, max: number): Map<string, V> {
  let cache = site.state as Map<string, V> | null;
  if (!cache) {
    cache = new Map<string, V>();
    site.state = cache;
  }
  if (cache.size >= max) cache.clear();
  return cache;
}
