import { base64Decode } from "./base64";
import { type FnDef, int, num, str, strings } from "./call-site";
import {
  goFields,
  goIndexAny,
  goLower,
  goReplace,
  goSplit,
  goTrim,
  goTrimLeft,
  goTrimPrefix,
  goTrimRight,
  goTrimSpace,
  goTrimSuffix,
  goUpper,
  parseGoFloat,
  wildcardMatch,
} from "./gostrings";
import { goPathEscape, goQueryEscape, goUnescape, parseUriQuery } from "./gourl";
import {
  goJsonMarshal,
  jsonExtract,
  jsonExtractLib,
  jsonExtractUnescape,
  jsonExtractValue,
  parseJson,
} from "./json";
import { parseKv } from "./parsekv";
import { fail } from "./runtime";
import { goSprintf } from "./sprintf";
import { equal, isMap, ownGet } from "./values";

/** CrowdSec's string, URL and JSON helpers (pkg/exprhelpers), with Go's semantics. */

type S = (s: string) => unknown;
type SS = (s: string, t: string) => unknown;

function s1(name: string, f: S, memo = false): FnDef {
  return { min: 1, max: 1, pure: true, memo, call: (_rt, _site, a) => f(str(a, name, 1)) };
}

function s2(name: string, f: SS): FnDef {
  return {
    min: 2,
    max: 2,
    pure: true,
    call: (_rt, _site, a, b) => f(str(a, name, 1), str(b, name, 2)),
  };
}

function b64Decode(input: string): string {
  const out = base64Decode(input);
  return out === undefined
    ? fail(`B64Decode: illegal base64 data in ${JSON.stringify(input.slice(0, 40))}`)
    : out;
}

function flatten(values: readonly unknown[], out: unknown[]): unknown[] {
  for (const v of values) {
    if (Array.isArray(v)) flatten(v, out);
    else out.push(v);
  }
  return out;
}

function distinct(values: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) if (!out.some((o) => equal(o, v))) out.push(v);
  return out;
}

function unmarshalJson(blob: string, target: unknown, key: string): unknown {
  if (!isMap(target)) return fail("UnmarshalJSON: argument 2 must be a map");
  const parsed = parseJson(blob);
  if (!parsed.ok) return parsed.error;
  Object.defineProperty(target, key, {
    value: parsed.value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return null;
}

export const TEXT_HELPERS: Record<string, FnDef> = {
  Upper: s1("Upper", goUpper, true),
  Lower: s1("Lower", goLower, true),
  TrimSpace: s1("TrimSpace", goTrimSpace, true),
  Trim: s2("Trim", goTrim),
  TrimLeft: s2("TrimLeft", goTrimLeft),
  TrimRight: s2("TrimRight", goTrimRight),
  TrimPrefix: s2("TrimPrefix", goTrimPrefix),
  TrimSuffix: s2("TrimSuffix", goTrimSuffix),
  Split: s2("Split", (s, sep) => goSplit(s, sep, -1, false)),
  SplitAfter: s2("SplitAfter", (s, sep) => goSplit(s, sep, -1, true)),
  SplitN: {
    min: 3,
    max: 3,
    pure: true,
    call: (_r, _s, a, b, c) =>
      goSplit(str(a, "SplitN", 1), str(b, "SplitN", 2), int(c, "SplitN", 3), false),
  },
  SplitAfterN: {
    min: 3,
    max: 3,
    pure: true,
    call: (_r, _s, a, b, c) =>
      goSplit(str(a, "SplitAfterN", 1), str(b, "SplitAfterN", 2), int(c, "SplitAfterN", 3), true),
  },
  Fields: s1("Fields", goFields),
  Index: s2("Index", (s, sub) => s.indexOf(sub)),
  IndexAny: s2("IndexAny", goIndexAny),
  Join: {
    min: 2,
    max: 2,
    pure: true,
    call: (_r, _s, a, b) => strings(a, "Join", 1).join(str(b, "Join", 2)),
  },
  Replace: {
    min: 4,
    max: 4,
    pure: true,
    call: (_r, _s, a, b, c, d) =>
      goReplace(
        str(a, "Replace", 1),
        str(b, "Replace", 2),
        str(c, "Replace", 3),
        int(d, "Replace", 4),
      ),
  },
  ReplaceAll: {
    min: 3,
    max: 3,
    pure: true,
    call: (_r, _s, a, b, c) =>
      goReplace(str(a, "ReplaceAll", 1), str(b, "ReplaceAll", 2), str(c, "ReplaceAll", 3), -1),
  },
  Get: {
    min: 2,
    max: 2,
    pure: true,
    call: (_r, _s, a, b) => {
      const list = strings(a, "Get", 1);
      const i = int(b, "Get", 2);
      if (i < 0) fail(`Get: index out of range: ${i}`);
      return i >= list.length ? "" : list[i];
    },
  },
  ToString: { min: 1, max: 1, pure: true, call: (_r, _s, a) => (typeof a === "string" ? a : "") },
  Match: s2("Match", wildcardMatch),
  Atof: s1("Atof", (s) => parseGoFloat(s) ?? 0),
  B64Decode: s1("B64Decode", b64Decode),
  LogInfo: { min: 1, max: Number.POSITIVE_INFINITY, variadic: () => true },
  Sprintf: {
    min: 1,
    max: Number.POSITIVE_INFINITY,
    pure: true,
    variadic: (_r, _s, args) => goSprintf(str(args[0], "Sprintf", 1), args.slice(1)),
  },
  PathUnescape: s1("PathUnescape", (s) => goUnescape(s, false) ?? s, true),
  QueryUnescape: s1("QueryUnescape", (s) => goUnescape(s, true) ?? s, true),
  PathEscape: s1("PathEscape", goPathEscape),
  QueryEscape: s1("QueryEscape", goQueryEscape),
  ParseUri: s1("ParseUri", parseUriQuery),
  JsonExtract: s2("JsonExtract", jsonExtract),
  JsonExtractUnescape: {
    min: 1,
    max: Number.POSITIVE_INFINITY,
    pure: true,
    variadic: (_r, _s, args) =>
      jsonExtractUnescape(
        str(args[0], "JsonExtractUnescape", 1),
        args.slice(1).map((k, i) => str(k, "JsonExtractUnescape", i + 2)),
      ),
  },
  JsonExtractLib: {
    min: 1,
    max: Number.POSITIVE_INFINITY,
    pure: true,
    variadic: (_r, _s, args) =>
      jsonExtractLib(
        str(args[0], "JsonExtractLib", 1),
        args.slice(1).map((k, i) => str(k, "JsonExtractLib", i + 2)),
      ),
  },
  JsonExtractSlice: s2("JsonExtractSlice", (b, t) => {
    const v = jsonExtractValue(b, t);
    return Array.isArray(v) ? v : null;
  }),
  JsonExtractObject: s2("JsonExtractObject", (b, t) => {
    const v = jsonExtractValue(b, t);
    return isMap(v) ? v : null;
  }),
  ToJsonString: { min: 1, max: 1, pure: true, call: (_r, _s, a) => goJsonMarshal(a) },
  UnmarshalJSON: {
    min: 3,
    max: 3,
    call: (_r, _s, a, b, c) =>
      unmarshalJson(str(a, "UnmarshalJSON", 1), b, str(c, "UnmarshalJSON", 3)),
  },
  ParseKV: {
    min: 3,
    max: 3,
    call: (_r, _s, a, b, c) => parseKv(str(a, "ParseKV", 1), b, str(c, "ParseKV", 3)),
  },
  KeyExists: {
    min: 2,
    max: 2,
    pure: true,
    call: (_r, _s, a, b) => isMap(b) && ownGet(b, str(a, "KeyExists", 1)) !== undefined,
  },
  Flatten: {
    min: 0,
    max: Number.POSITIVE_INFINITY,
    pure: true,
    variadic: (_r, _s, args) => flatten(args, []),
  },
  Distinct: {
    min: 1,
    max: 1,
    pure: true,
    call: (_r, _s, a) => (Array.isArray(a) ? distinct(a) : null),
  },
  FlattenDistinct: {
    min: 0,
    max: Number.POSITIVE_INFINITY,
    pure: true,
    variadic: (_r, _s, args) => distinct(flatten(args, [])),
  },
  FloatApproxEqual: {
    min: 2,
    max: 2,
    pure: true,
    call: (_r, _s, a, b) =>
      Math.abs(num(a, "FloatApproxEqual", 1) - num(b, "FloatApproxEqual", 2)) < 1e-6,
  },
};
