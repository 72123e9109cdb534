// Turns a hub `parser.assert` file into per-line expectations for Palisade's one-pass
// parsers. CrowdSec runs staged nodes (s00-raw → s01-parse → s02-enrich); Palisade's
// parser produces the final event directly, so a field's expectation is the value the
// last successful stage asserts for it.
import { goUnquote } from "./corpus";

const STAGES = ["s00-raw", "s01-parse", "s02-enrich"] as const;
const HEAD = /^results\["([^"]+)"\]\["([^"]+)"\]\[(\d+)\]/;
const STR = /("(?:[^"\\]|\\.)*")/.source;
/** STR without its capture, for use inside a larger pattern whose groups are numbered. */
const STR_NC = /"(?:[^"\\]|\\.)*"/.source;

export interface FieldCheck {
  /** e.g. ["Parsed","request"], ["Unmarshaled","traefik","ClientHost"], ["Whitelisted"] */
  path: string[];
  /** basename(): compare the last path segment; slice4: compare from the 5th character. */
  op: "eq" | "basename" | "slice4" | "approx";
  expected: string | number | boolean;
  source: string;
}

export interface LineExpectation {
  /** Index of the non-blank line in the log. */
  line: number;
  /** Whether some s01-parse node parsed it; undefined when the asserts do not say. */
  parsed: boolean | undefined;
  /** Whether the s00 syslog-logs node read its syslog frame; undefined when not asserted. */
  framed: boolean | undefined;
  fields: Map<string, FieldCheck>;
}

interface Raw {
  stage: string;
  node: string;
  index: number;
  rest: string;
  source: string;
}

export function readParserAssert(asserts: string[], lineCount: number): LineExpectation[] {
  const raws: Raw[] = [];
  for (const source of asserts) {
    const inner = source
      .replace(/^basename\((.*)\) == /, "$1 == ")
      .replace(/^FloatApproxEqual\((.*), ([\d.]+)\)$/, "$1 ~= $2");
    const m = HEAD.exec(inner);
    if (!m) continue; // len(...) counts carry no per-line information
    raws.push({
      stage: m[1] as string,
      node: m[2] as string,
      index: Number(m[3]),
      rest: inner.slice(m[0].length),
      source,
    });
  }
  const out: LineExpectation[] = Array.from({ length: lineCount }, (_, line) => ({
    line,
    parsed: undefined,
    framed: undefined,
    fields: new Map(),
  }));
  // s00 and s01 nodes see every line; s02 nodes see only lines some s01 node parsed.
  for (const r of raws) {
    if (r.stage !== "s01-parse" || !r.rest.startsWith(".Success")) continue;
    const e = out[r.index];
    if (e) e.parsed = (e.parsed ?? false) || r.rest.endsWith("true");
  }
  for (const r of raws) {
    if (
      r.stage !== "s00-raw" ||
      r.node !== "crowdsecurity/syslog-logs" ||
      !r.rest.startsWith(".Success")
    )
      continue;
    const e = out[r.index];
    if (e) e.framed = r.rest.endsWith("true");
  }
  const s02Lines = out.filter((e) => e.parsed !== false).map((e) => e.line);
  const successful = new Set<string>();
  for (const r of raws) {
    if (r.rest.startsWith(".Success") && r.rest.endsWith("true"))
      successful.add(`${r.stage}|${r.node}|${r.index}`);
  }
  for (const stage of STAGES) {
    for (const r of raws.filter((x) => x.stage === stage)) {
      if (r.rest.startsWith(".Success")) continue;
      if (!successful.has(`${r.stage}|${r.node}|${r.index}`)) continue;
      const line = stage === "s02-enrich" ? s02Lines[r.index] : r.index;
      const e = line === undefined ? undefined : out[line];
      const check = parseCheck(r.rest, r.source);
      if (e && check) e.fields.set(check.path.join("."), check);
    }
  }
  return out;
}

function parseCheck(rest: string, source: string): FieldCheck | undefined {
  const m = new RegExp(`^\\.Evt\\.(\\w+)((?:\\[${STR_NC}\\])*)(\\[4:\\])? (==|~=) (.+)$`).exec(
    rest,
  );
  if (!m) return undefined;
  const keys = [...(m[2] ?? "").matchAll(new RegExp(`\\[${STR}\\]`, "g"))].map((k) =>
    goUnquote(k[1] as string),
  );
  const rhs = m[5] as string;
  let expected: string | number | boolean;
  if (rhs.startsWith('"')) expected = goUnquote(rhs);
  else if (rhs === "true" || rhs === "false") expected = rhs === "true";
  else expected = Number(rhs);
  const op =
    m[4] === "~=" ? "approx" : m[3] ? "slice4" : source.startsWith("basename(") ? "basename" : "eq";
  return { path: [m[1] as string, ...keys], op, expected, source };
}

/** Looks a check's path up in an event; absent map keys read as "" as in Go. */
export function actualValue(evt: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = evt;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

export function checkField(evt: Record<string, unknown>, c: FieldCheck): string | undefined {
  let actual = actualValue(evt, c.path);
  if (actual === undefined && typeof c.expected === "string") actual = "";
  if (c.op === "basename" && typeof actual === "string") actual = actual.split("/").pop();
  if (c.op === "slice4" && typeof actual === "string") actual = actual.slice(4);
  const ok =
    c.op === "approx"
      ? Math.abs(Number(actual) - Number(c.expected)) < 1e-6
      : typeof c.expected === "number"
        ? Number(actual) === c.expected
        : actual === c.expected;
  return ok
    ? undefined
    : `${c.path.join(".")}: expected ${JSON.stringify(c.expected)}, got ${JSON.stringify(actual)}`;
}
