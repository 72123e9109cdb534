import {
  type Command,
  type Node,
  type Operand,
  type Pipeline,
  parseTemplate,
  TemplateError,
} from "./parse";

/**
 * Runs a parsed template over plain JSON data. Field names are Go's: `.Source.IP` reads
 * the key `IP`, else `ip`, else the snake_case form (`MachineID` → `machine_id`), else any
 * key equal ignoring case, so CrowdSec's notification templates (written against its Go
 * structs) read the same alerts as JSON. Output is capped: a template cannot loop forever.
 */

export { TemplateError } from "./parse";

const MAX_OUTPUT = 512 * 1024;
const MAX_STEPS = 200_000;

type Fn = (...args: unknown[]) => unknown;

export interface CompiledTemplate {
  render(data: unknown): string;
}

export function compileTemplate(src: string, extra: Record<string, Fn> = {}): CompiledTemplate {
  const nodes = parseTemplate(src);
  const funcs = { ...FUNCS, ...extra };
  checkFunctions(nodes, funcs);
  return { render: (data) => new Run(funcs, data).nodes(nodes) };
}

function checkFunctions(nodes: readonly Node[], funcs: Record<string, Fn>): void {
  const pipe = (p: Pipeline) => {
    for (const c of p.cmds)
      for (const a of c.args) {
        if (a.k === "fn" && !(a.name in funcs))
          throw new TemplateError(`function "${a.name}" not defined`);
        if (a.k === "sub") pipe(a.pipe);
      }
  };
  for (const n of nodes) {
    if (n.k === "text") continue;
    pipe(n.pipe);
    if (n.k !== "out") {
      checkFunctions(n.body, funcs);
      checkFunctions(n.alt, funcs);
    }
  }
}

class Run {
  private out = "";
  private steps = 0;
  private vars: [string, unknown][] = [];

  constructor(
    private readonly funcs: Record<string, Fn>,
    private readonly root: unknown,
  ) {
    this.vars.push(["$", root]);
  }

  nodes(list: readonly Node[], dot: unknown = this.root): string {
    for (const n of list) this.node(n, dot);
    return this.out;
  }

  private emit(text: string): void {
    this.out += text;
    if (this.out.length > MAX_OUTPUT)
      throw new TemplateError(`output over ${MAX_OUTPUT} characters`);
  }

  private node(n: Node, dot: unknown): void {
    if (++this.steps > MAX_STEPS) throw new TemplateError("template ran too long");
    if (n.k === "text") {
      this.emit(n.text);
      return;
    }
    const mark = this.vars.length;
    try {
      if (n.k === "out") {
        const v = this.pipe(n.pipe, dot);
        if (!n.pipe.decl) this.emit(printValue(v));
        return;
      }
      const v = this.pipe(n.pipe, dot);
      if (n.k === "if") {
        this.block(truthy(v) ? n.body : n.alt, dot);
        return;
      }
      if (n.k === "with") {
        if (truthy(v)) this.block(n.body, v);
        else this.block(n.alt, dot);
        return;
      }
      const items = iterate(v);
      if (items.length === 0) {
        this.block(n.alt, dot);
        return;
      }
      const names = n.pipe.decl?.names ?? [];
      for (const [key, item] of items) {
        const inner = this.vars.length;
        if (names.length === 1) this.vars.push([names[0] as string, item]);
        if (names.length === 2)
          this.vars.push([names[0] as string, key], [names[1] as string, item]);
        this.block(n.body, item);
        this.vars.length = inner;
      }
    } finally {
      // A `{{$x := …}}` at this level stays visible to the following nodes of its block.
      if (n.k !== "out") this.vars.length = mark;
    }
  }

  private block(list: readonly Node[], dot: unknown): void {
    const mark = this.vars.length;
    for (const n of list) this.node(n, dot);
    this.vars.length = mark;
  }

  private pipe(p: Pipeline, dot: unknown): unknown {
    let v: unknown;
    let first = true;
    for (const c of p.cmds) {
      v = this.command(c, dot, first ? undefined : { value: v });
      first = false;
    }
    if (p.decl) {
      const name = p.decl.names[0] as string;
      if (p.decl.assign) {
        const slot = [...this.vars].reverse().find(([n]) => n === name);
        if (!slot) throw new TemplateError(`undefined variable ${name}`);
        slot[1] = v;
      } else this.vars.push([name, v]);
    }
    return v;
  }

  private command(c: Command, dot: unknown, piped?: { value: unknown }): unknown {
    const [head, ...rest] = c.args;
    if (head?.k === "fn") {
      const args = rest.map((a) => this.operand(a, dot));
      if (piped) args.push(piped.value);
      return (this.funcs[head.name] as Fn)(...args);
    }
    if (rest.length > 0 || piped) throw new TemplateError("can't give arguments to a non-function");
    return this.operand(head as Operand, dot);
  }

  private operand(o: Operand, dot: unknown): unknown {
    switch (o.k) {
      case "lit":
        return o.value;
      case "fn":
        return (this.funcs[o.name] as Fn)();
      case "dot":
        return walk(dot, o.fields);
      case "var": {
        const slot = [...this.vars].reverse().find(([n]) => n === o.name);
        if (!slot) throw new TemplateError(`undefined variable ${o.name}`);
        return walk(slot[1], o.fields);
      }
      case "sub":
        return walk(this.pipe(o.pipe, dot), o.fields);
    }
  }
}

function snake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

export function field(value: unknown, name: string): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  if (name in o) return o[name];
  for (const k of [name.toLowerCase(), snake(name)]) if (k in o) return o[k];
  const lower = name.toLowerCase().replaceAll("_", "");
  const key = Object.keys(o).find((k) => k.toLowerCase().replaceAll("_", "") === lower);
  return key === undefined ? undefined : o[key];
}

function walk(v: unknown, fields: readonly string[]): unknown {
  let cur = v;
  for (const f of fields) cur = field(cur, f);
  return cur;
}

export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

function iterate(v: unknown): [unknown, unknown][] {
  if (Array.isArray(v)) return v.map((x, i) => [i, x]);
  if (v && typeof v === "object")
    return Object.keys(v)
      .sort()
      .map((k) => [k, (v as Record<string, unknown>)[k]]);
  if (typeof v === "number" && Number.isInteger(v) && v >= 0)
    return Array.from({ length: Math.min(v, 10_000) }, (_, i) => [i, i]);
  if (v === null || v === undefined) return [];
  throw new TemplateError(`range can't iterate over ${printValue(v)}`);
}

/** Go's `fmt.Sprint` closely enough: `<no value>` for a missing field, JSON for structures. */
export function printValue(v: unknown): string {
  if (v === undefined) return "<no value>";
  if (v === null) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

function compare(op: string): Fn {
  return (a, ...bs) => {
    for (const b of bs) {
      const ok =
        op === "eq"
          ? a === b
          : op === "ne"
            ? a !== b
            : op === "lt"
              ? (a as number) < (b as number)
              : op === "le"
                ? (a as number) <= (b as number)
                : op === "gt"
                  ? (a as number) > (b as number)
                  : (a as number) >= (b as number);
      if (op === "eq" ? ok : !ok) return op === "eq";
    }
    return op !== "eq";
  };
}

function sprintf(format: unknown, ...args: unknown[]): string {
  let i = 0;
  return String(format).replace(
    /%([-+ 0#]*\d*(?:\.\d+)?)([sdvqfxt%])/g,
    (_m, _flags: string, verb: string) => {
      if (verb === "%") return "%";
      const a = args[i++];
      if (verb === "q") return JSON.stringify(printValue(a));
      if (verb === "d") return String(Math.trunc(Number(a)));
      if (verb === "f") return Number(a).toFixed(6);
      if (verb === "x")
        return typeof a === "number"
          ? a.toString(16)
          : [...String(a)]
              .map((ch) => ch.charCodeAt(0))
              .map((b) => b.toString(16).padStart(2, "0"))
              .join("");
      return printValue(a);
    },
  );
}

const FUNCS: Record<string, Fn> = {
  and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
  not: (a) => !truthy(a),
  len: (a) =>
    typeof a === "string" || Array.isArray(a)
      ? a.length
      : a && typeof a === "object"
        ? Object.keys(a).length
        : 0,
  index: (a, ...keys) =>
    keys.reduce((v, k) => (Array.isArray(v) ? v[Number(k)] : field(v, String(k))), a),
  eq: compare("eq"),
  ne: compare("ne"),
  lt: compare("lt"),
  le: compare("le"),
  gt: compare("gt"),
  ge: compare("ge"),
  print: (...a) => a.map(printValue).join(""),
  println: (...a) => `${a.map(printValue).join(" ")}\n`,
  printf: sprintf,
  html: (a) => printValue(a).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
  js: (a) => JSON.stringify(printValue(a)).slice(1, -1),
  urlquery: (...a) => encodeURIComponent(a.map(printValue).join("")),
  // Sprig functions CrowdSec's templates use.
  toJson: (a) => JSON.stringify(a ?? null),
  toPrettyJson: (a) => JSON.stringify(a ?? null, null, 2),
  lower: (a) => printValue(a).toLowerCase(),
  upper: (a) => printValue(a).toUpperCase(),
  trim: (a) => printValue(a).trim(),
  replace: (old, neu, s) => printValue(s).replaceAll(printValue(old), printValue(neu)),
  join: (sep, list) =>
    Array.isArray(list) ? list.map(printValue).join(printValue(sep)) : printValue(list),
  contains: (sub, s) => printValue(s).includes(printValue(sub)),
  hasPrefix: (s, p) => printValue(s).startsWith(printValue(p)),
  hasSuffix: (s, p) => printValue(s).endsWith(printValue(p)),
  default: (d, v) => (truthy(v) ? v : d),
  quote: (...a) => a.map((x) => JSON.stringify(printValue(x))).join(" "),
};
FUNCS.toJSON = FUNCS.toJson as Fn;
