import { fail } from "./runtime";
import { formatNumber, formatValue, isNil } from "./values";

/**
 * Go's fmt.Sprintf for the verbs hub files use (%s %d %v %+v %q %f %e %g %x %X %o %b %t %c
 * %T %%), with flags, width and precision, and Go's %!verb(type=value) error notation.
 */

const MAX_WIDTH = 10_000;
const SPEC = /%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/y;

interface Spec {
  flags: string;
  width: number;
  prec: number | undefined;
  verb: string;
}

export function goSprintf(format: string, args: readonly unknown[]): string {
  let out = "";
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf("%", i);
    if (pct < 0) return finish(out + format.slice(i), args, argi);
    out += format.slice(i, pct);
    SPEC.lastIndex = pct;
    const m = SPEC.exec(format);
    if (!m) {
      out += "%!(NOVERB)";
      i = pct + 1;
      continue;
    }
    i = SPEC.lastIndex;
    const spec: Spec = {
      flags: m[1] ?? "",
      width: Math.min(Number(m[2] ?? 0), MAX_WIDTH),
      prec: m[3] === undefined ? undefined : Math.min(Number(m[3] || 0), MAX_WIDTH),
      verb: m[4] as string,
    };
    if (Number(m[2] ?? 0) > MAX_WIDTH || Number(m[3] ?? 0) > MAX_WIDTH) {
      fail(`Sprintf: width or precision above ${MAX_WIDTH} in ${JSON.stringify(m[0])}`);
    }
    if (spec.verb === "%") {
      out += "%";
      continue;
    }
    if (argi >= args.length) {
      out += `%!${spec.verb}(MISSING)`;
      continue;
    }
    out += pad(formatOne(spec, args[argi++]), spec);
  }
  return finish(out, args, argi);
}

function finish(out: string, args: readonly unknown[], used: number): string {
  if (used >= args.length) return out;
  const extra = args.slice(used).map((a) => `${goType(a)}=${formatValue(a)}`);
  return `${out}%!(EXTRA ${extra.join(", ")})`;
}

function goType(v: unknown): string {
  if (isNil(v)) return "<nil>";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float64";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}

function bad(spec: Spec, v: unknown): string {
  return isNil(v) ? `%!${spec.verb}(<nil>)` : `%!${spec.verb}(${goType(v)}=${formatValue(v)})`;
}

function formatOne(spec: Spec, v: unknown): string {
  switch (spec.verb) {
    case "v":
      return formatValue(v);
    case "T":
      return goType(v);
    case "s":
      if (typeof v === "string") return truncate(v, spec.prec);
      return Array.isArray(v) || (typeof v === "object" && v !== null)
        ? formatValue(v)
        : bad(spec, v);
    case "q":
      return typeof v === "string" ? goQuote(v) : bad(spec, v);
    case "t":
      return typeof v === "boolean" ? String(v) : bad(spec, v);
    case "c":
      return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0x10ffff
        ? String.fromCodePoint(v)
        : bad(spec, v);
    default:
      return formatNumeric(spec, v);
  }
}

function formatNumeric(spec: Spec, v: unknown): string {
  const radix = { d: 10, x: 16, X: 16, o: 8, b: 2 }[spec.verb as "d"];
  if (radix !== undefined) {
    if (typeof v === "string" && (spec.verb === "x" || spec.verb === "X"))
      return hexString(v, spec.verb);
    if (typeof v !== "number" || !Number.isInteger(v)) return bad(spec, v);
    const digits = Math.abs(v).toString(radix);
    const text = spec.verb === "X" ? digits.toUpperCase() : digits;
    return sign(v, spec) + (spec.flags.includes("#") ? prefix(spec.verb) : "") + text;
  }
  if (typeof v !== "number") return bad(spec, v);
  switch (spec.verb) {
    case "f":
    case "F":
      return sign(v, spec) + Math.abs(v).toFixed(spec.prec ?? 6);
    case "e":
    case "E": {
      const t = goExponent(Math.abs(v).toExponential(spec.prec ?? 6));
      return sign(v, spec) + (spec.verb === "E" ? t.toUpperCase() : t);
    }
    case "g":
    case "G": {
      const t = spec.prec === undefined ? formatG(Math.abs(v)) : Math.abs(v).toPrecision(spec.prec);
      return sign(v, spec) + (spec.verb === "G" ? t.toUpperCase() : goExponent(t));
    }
  }
  return bad(spec, v);
}

function formatG(n: number): string {
  if (n === 0) return "0";
  const exp = Math.floor(Math.log10(n));
  if (exp < -4 || exp >= 21) return goExponent(n.toExponential());
  return Number.isInteger(n) && exp >= 6 ? goExponent(n.toExponential()) : formatNumber(n);
}

function goExponent(t: string): string {
  return t.replace(/e([+-])(\d)$/, "e$10$2");
}

function prefix(verb: string): string {
  return verb === "o" ? "0" : verb === "b" ? "0b" : verb === "X" ? "0X" : "0x";
}

function sign(v: number, spec: Spec): string {
  if (v < 0 || Object.is(v, -0)) return "-";
  if (spec.flags.includes("+")) return "+";
  return spec.flags.includes(" ") ? " " : "";
}

function hexString(s: string, verb: string): string {
  let out = "";
  for (const b of utf8Bytes(s)) out += b.toString(16).padStart(2, "0");
  return verb === "X" ? out.toUpperCase() : out;
}

export function utf8Bytes(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else
      out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

function truncate(s: string, prec: number | undefined): string {
  if (prec === undefined) return s;
  return Array.from(s).slice(0, prec).join("");
}

function pad(text: string, spec: Spec): string {
  const len = Array.from(text).length;
  if (len >= spec.width) return text;
  const fill = spec.width - len;
  if (spec.flags.includes("-")) return text + " ".repeat(fill);
  const numeric = "dxXobfFeEgG".includes(spec.verb) && !text.startsWith("%!");
  if (spec.flags.includes("0") && numeric) {
    const signLen = /^[+\- ]/.test(text) ? 1 : 0;
    return text.slice(0, signLen) + "0".repeat(fill) + text.slice(signLen);
  }
  return " ".repeat(fill) + text;
}

const QUOTE_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\x07": "\\a",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\v": "\\v",
};

/** strconv.Quote for printable text; control characters become \xHH. */
function goQuote(s: string): string {
  let out = '"';
  for (const c of s) {
    const esc = QUOTE_ESCAPES[c];
    if (esc !== undefined) out += esc;
    else {
      const code = c.codePointAt(0) as number;
      out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : c;
    }
  }
  return `${out}"`;
}
