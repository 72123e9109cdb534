import { fail } from "./runtime";

/**
 * Go-flavoured value semantics over plain JS values: nil is null or undefined, numbers
 * stand for both Go ints and floats, arrays for slices, plain objects (or Maps) for maps
 * and structs. Member access only ever reads own properties.
 */

/** Names that would reach prototypes: always nil, whatever the object. */
export const BLOCKED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

const hasOwn = Object.prototype.hasOwnProperty;

export function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

export function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function typeName(v: unknown): string {
  if (isNil(v)) return "nil";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string" || typeof v === "boolean")
    return typeof v === "string" ? "string" : "bool";
  if (Array.isArray(v)) return "array";
  if (typeof v === "function") return "func";
  return "map";
}

/** `obj[key]` for an own property only; undefined when absent or blocked. */
export function ownGet(obj: object, key: string): unknown {
  if (obj instanceof Map) return obj.get(key);
  const v = (obj as Record<string, unknown>)[key];
  if (v === undefined || !hasOwn.call(obj, key) || BLOCKED_KEYS.has(key)) return undefined;
  return v;
}

/** Index into an array or string, negative from the end, as expr's runtime.Fetch does. */
export function indexOf(length: number, key: unknown, what: string): number {
  if (typeof key !== "number" || !Number.isInteger(key)) {
    fail(`cannot index ${what} with ${typeName(key)} ${formatValue(key)}`);
  }
  const i = key < 0 ? length + key : key;
  if (i < 0 || i >= length) fail(`index out of range: ${key} (${what} length is ${length})`);
  return i;
}

/**
 * Member or index access. `missing` is what an absent key yields: nil, or "" for
 * map[string]string fields (Meta, Parsed, …), matching Go's zero values.
 */
export function fetch(from: unknown, key: unknown, missing: unknown): unknown {
  if (isNil(from)) {
    if (missing === "") return "";
    return fail(`cannot fetch ${formatValue(key)} from nil`);
  }
  if (Array.isArray(from)) return from[indexOf(from.length, key, "array")];
  if (typeof from === "string") return from[indexOf(from.length, key, "string")];
  if (typeof from !== "object")
    return fail(`cannot fetch ${formatValue(key)} from ${typeName(from)}`);
  if (typeof key !== "string" && typeof key !== "number") {
    return fail(`cannot use ${typeName(key)} as a map key`);
  }
  const v = ownGet(from, String(key));
  return v === undefined ? missing : v;
}

export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isNil(a) || isNil(b)) return isNil(a) && isNil(b);
  if (typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!hasOwn.call(b, k) || !equal(ownGet(a as object, k), ownGet(b as object, k))) return false;
  }
  return true;
}

export function less(a: unknown, b: unknown, op: string): boolean {
  const ok =
    (typeof a === "number" && typeof b === "number") ||
    (typeof a === "string" && typeof b === "string");
  if (!ok) fail(`invalid operation: ${typeName(a)} ${op} ${typeName(b)}`);
  switch (op) {
    case "<":
      return (a as number) < (b as number);
    case ">":
      return (a as number) > (b as number);
    case "<=":
      return (a as number) <= (b as number);
    default:
      return (a as number) >= (b as number);
  }
}

/** Go's `%v`. Integral numbers print as ints (JS cannot tell `1.0` from `1`). */
export function formatValue(v: unknown): string {
  if (isNil(v)) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (Array.isArray(v)) return `[${v.map(formatValue).join(" ")}]`;
  if (typeof v === "function") return "<func>";
  const keys = Object.keys(v as object).sort();
  return `map[${keys.map((k) => `${k}:${formatValue(ownGet(v as object, k))}`).join(" ")}]`;
}

/** strconv.FormatFloat(f, 'g', -1, 64) for non-integers, decimal for integers. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp >= -4 && exp < 6) return String(n);
  const [mant, e] = n.toExponential().split("e") as [string, string];
  const sign = e.startsWith("-") ? "-" : "+";
  const digits = e.replace(/^[+-]/, "");
  return `${mant}e${sign}${digits.length < 2 ? `0${digits}` : digits}`;
}

/** UTF-8 byte length: Go's len() of a string. */
export function byteLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 1;
      i++;
    } else n += 2;
  }
  return n;
}
