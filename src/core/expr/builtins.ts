import { parseDuration } from "../duration";
import { base64Decode, base64Encode } from "./base64";
import { arr, type FixedCall, type FnDef, int, num, str, strings } from "./call-site";
import {
  goIndexAny,
  goLower,
  goReplace,
  goSplit,
  goTrim,
  goTrimPrefix,
  goTrimSpace,
  goTrimSuffix,
  goUpper,
  parseGoFloat,
  parseGoInt,
} from "./gostrings";
import { parseJson } from "./json";
import { charge, fail } from "./runtime";
import { byteLength, equal, formatValue, isMap, isNil, ownGet, typeName } from "./values";

/**
 * expr-lang's builtins that take no predicate (those that do are compiled in calls.ts).
 * `now()` and `date()` are left out on purpose: core has no wall clock.
 */

function len(v: unknown): number {
  if (typeof v === "string") return byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return v instanceof Map ? v.size : Object.keys(v).length;
  return fail(`invalid argument for len (type ${typeName(v)})`);
}

function toInt(v: unknown): number {
  if (typeof v === "number") return Math.trunc(v);
  if (typeof v === "string") {
    const n = parseGoInt(v);
    if (n !== undefined) return n;
    return fail(`int: cannot convert ${JSON.stringify(v)} to an int`);
  }
  return fail(`invalid operation: int(${typeName(v)})`);
}

function toFloat(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const n = parseGoFloat(v);
    if (n !== undefined) return n;
    return fail(`float: cannot convert ${JSON.stringify(v)} to a float`);
  }
  return fail(`invalid operation: float(${typeName(v)})`);
}

function numbers(args: readonly unknown[], fn: string): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  return list.map((v, i) => num(v, fn, i + 1));
}

function minMax(args: readonly unknown[], fn: "min" | "max"): number {
  const ns = numbers(args, fn);
  if (ns.length === 0) fail(`${fn}: needs at least one number`);
  return fn === "min" ? Math.min(...ns) : Math.max(...ns);
}

function median(ns: number[]): number {
  if (ns.length === 0) return 0;
  const s = [...ns].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function get(v: unknown, key: unknown): unknown {
  if (Array.isArray(v) && typeof key === "number" && Number.isInteger(key)) {
    const i = key < 0 ? v.length + key : key;
    return v[i] ?? null;
  }
  if (isMap(v) && (typeof key === "string" || typeof key === "number"))
    return ownGet(v, String(key)) ?? null;
  return null;
}

function deepFlatten(values: readonly unknown[], out: unknown[]): unknown[] {
  for (const v of values) Array.isArray(v) ? deepFlatten(v, out) : out.push(v);
  return out;
}

function sortValues(a: readonly unknown[], order: unknown): unknown[] {
  const desc = order === "desc";
  if (order !== undefined && order !== "asc" && !desc) fail(`sort: order must be "asc" or "desc"`);
  const allNum = a.every((x) => typeof x === "number");
  if (!allNum && !a.every((x) => typeof x === "string"))
    fail("sort: elements must all be numbers or all strings");
  const out = [...a] as (number | string)[];
  out.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return desc ? out.reverse() : out;
}

function repeat(rt: Parameters<typeof charge>[0], s: string, n: number): string {
  if (n < 0) fail("repeat: negative count");
  charge(rt, s.length * n);
  return s.repeat(n);
}

const P = true;
const fixed = (min: number, max: number, call: FixedCall, pure = P): FnDef => ({
  min,
  max,
  pure,
  call,
});
const many = (min: number, variadic: NonNullable<FnDef["variadic"]>): FnDef => ({
  min,
  max: Number.POSITIVE_INFINITY,
  pure: P,
  variadic,
});

export const LANG_BUILTINS: Record<string, FnDef> = {
  len: fixed(1, 1, (_r, _s, a) => len(a)),
  abs: fixed(1, 1, (_r, _s, a) => Math.abs(num(a, "abs", 1))),
  ceil: fixed(1, 1, (_r, _s, a) => Math.ceil(num(a, "ceil", 1))),
  floor: fixed(1, 1, (_r, _s, a) => Math.floor(num(a, "floor", 1))),
  // Go's math.Round: halves away from zero (JS rounds -2.5 to -2).
  round: fixed(1, 1, (_r, _s, a) => {
    const n = num(a, "round", 1);
    return Math.sign(n) * Math.round(Math.abs(n));
  }),
  int: fixed(1, 1, (_r, _s, a) => toInt(a)),
  float: fixed(1, 1, (_r, _s, a) => toFloat(a)),
  string: fixed(1, 1, (_r, _s, a) => formatValue(a)),
  type: fixed(1, 1, (_r, _s, a) => typeName(a)),
  upper: { ...fixed(1, 1, (_r, _s, a) => goUpper(str(a, "upper", 1))), memo: true },
  lower: { ...fixed(1, 1, (_r, _s, a) => goLower(str(a, "lower", 1))), memo: true },
  trim: fixed(1, 2, (_r, _s, a, b) =>
    b === undefined ? goTrimSpace(str(a, "trim", 1)) : goTrim(str(a, "trim", 1), str(b, "trim", 2)),
  ),
  trimPrefix: fixed(2, 2, (_r, _s, a, b) =>
    goTrimPrefix(str(a, "trimPrefix", 1), str(b, "trimPrefix", 2)),
  ),
  trimSuffix: fixed(2, 2, (_r, _s, a, b) =>
    goTrimSuffix(str(a, "trimSuffix", 1), str(b, "trimSuffix", 2)),
  ),
  split: fixed(2, 3, (_r, _s, a, b, c) =>
    goSplit(
      str(a, "split", 1),
      str(b, "split", 2),
      c === undefined ? -1 : int(c, "split", 3),
      false,
    ),
  ),
  splitAfter: fixed(2, 3, (_r, _s, a, b, c) =>
    goSplit(
      str(a, "splitAfter", 1),
      str(b, "splitAfter", 2),
      c === undefined ? -1 : int(c, "splitAfter", 3),
      true,
    ),
  ),
  replace: fixed(3, 3, (_r, _s, a, b, c) =>
    goReplace(str(a, "replace", 1), str(b, "replace", 2), str(c, "replace", 3), -1),
  ),
  repeat: fixed(
    2,
    2,
    (rt, _s, a, b) => repeat(rt, str(a, "repeat", 1), int(b, "repeat", 2)),
    false,
  ),
  join: fixed(1, 2, (_r, _s, a, b) =>
    strings(a, "join", 1).join(b === undefined ? "" : str(b, "join", 2)),
  ),
  indexOf: fixed(2, 2, (_r, _s, a, b) => str(a, "indexOf", 1).indexOf(str(b, "indexOf", 2))),
  lastIndexOf: fixed(2, 2, (_r, _s, a, b) =>
    str(a, "lastIndexOf", 1).lastIndexOf(str(b, "lastIndexOf", 2)),
  ),
  hasPrefix: fixed(2, 2, (_r, _s, a, b) =>
    str(a, "hasPrefix", 1).startsWith(str(b, "hasPrefix", 2)),
  ),
  hasSuffix: fixed(2, 2, (_r, _s, a, b) => str(a, "hasSuffix", 1).endsWith(str(b, "hasSuffix", 2))),
  indexAny: fixed(2, 2, (_r, _s, a, b) => goIndexAny(str(a, "indexAny", 1), str(b, "indexAny", 2))),
  max: many(1, (_r, _s, args) => minMax(args, "max")),
  min: many(1, (_r, _s, args) => minMax(args, "min")),
  mean: fixed(1, 1, (_r, _s, a) => {
    const ns = numbers([arr(a, "mean", 1)], "mean");
    return ns.length === 0 ? 0 : ns.reduce((x, y) => x + y, 0) / ns.length;
  }),
  median: fixed(1, 1, (_r, _s, a) => median(numbers([arr(a, "median", 1)], "median"))),
  keys: fixed(1, 1, (_r, _s, a) =>
    isMap(a) ? Object.keys(a) : fail(`keys: expects a map, got ${typeName(a)}`),
  ),
  values: fixed(1, 1, (_r, _s, a) =>
    isMap(a)
      ? Object.keys(a).map((k) => ownGet(a, k))
      : fail(`values: expects a map, got ${typeName(a)}`),
  ),
  first: fixed(1, 1, (_r, _s, a) => (isNil(a) ? null : (arr(a, "first", 1)[0] ?? null))),
  last: fixed(1, 1, (_r, _s, a) => {
    if (isNil(a)) return null;
    const list = arr(a, "last", 1);
    return list[list.length - 1] ?? null;
  }),
  get: fixed(2, 2, (_r, _s, a, b) => get(a, b)),
  duration: fixed(1, 1, (_r, _s, a) => {
    const d = parseDuration(str(a, "duration", 1));
    return d === undefined
      ? fail(`duration: invalid duration ${JSON.stringify(a)} (e.g. "10m", "1h30m")`)
      : d;
  }),
  reverse: fixed(1, 1, (_r, _s, a) => [...arr(a, "reverse", 1)].reverse()),
  uniq: fixed(1, 1, (_r, _s, a) => {
    const out: unknown[] = [];
    for (const v of arr(a, "uniq", 1)) if (!out.some((o) => equal(o, v))) out.push(v);
    return out;
  }),
  concat: many(0, (_r, _s, args) => args.flatMap((a, i) => arr(a, "concat", i + 1))),
  flatten: fixed(1, 1, (_r, _s, a) => deepFlatten(arr(a, "flatten", 1), [])),
  sort: fixed(1, 2, (_r, _s, a, b) => sortValues(arr(a, "sort", 1), b)),
  toJSON: fixed(1, 1, (_r, _s, a) => JSON.stringify(a ?? null, null, 2)),
  fromJSON: fixed(1, 1, (_r, _s, a) => {
    const p = parseJson(str(a, "fromJSON", 1));
    return p.ok ? p.value : fail(`fromJSON: ${p.error}`);
  }),
  toBase64: fixed(1, 1, (_r, _s, a) => base64Encode(str(a, "toBase64", 1))),
  fromBase64: fixed(1, 1, (_r, _s, a) => {
    const out = base64Decode(str(a, "fromBase64", 1));
    return out === undefined ? fail("fromBase64: illegal base64 data") : out;
  }),
};
