// Reads a hub `scenario.assert` (expr lines over CrowdSec's overflow results) into
// expectations, and compares them with Palisade's alerts. Alerts are matched by scenario
// and sources, not by index: CrowdSec's result order is not Palisade's.
import type { Alert, AlertSource } from "../../src/core/alert";
import { goUnquote } from "./corpus";

export interface MetaCheck {
  event: number;
  key: string;
  /** `basename(...)` applied, or a `[n:]` slice, before comparing. */
  transform: { kind: "none" } | { kind: "basename" } | { kind: "slice"; from: number };
  expected: string;
}

export interface ExpectedAlert {
  index: number;
  scenario?: string;
  /** Source value → expected fields (`IP`, `Range`, `GetScope()`, `GetValue()`). */
  sources: Map<string, Partial<Record<"IP" | "Range" | "GetScope" | "GetValue", string>>>;
  eventsCount?: number;
  remediation?: boolean;
  meta: MetaCheck[];
}

export interface ScenarioExpectation {
  count?: number;
  alerts: ExpectedAlert[];
  /** Lines this reader does not understand (a case with any cannot pass). */
  unknown: string[];
}

const Q = String.raw`("(?:[^"\\]|\\.)*")`;
const R = String.raw`results\[(\d+)\]\.Overflow`;
const LEN = /^len\(results\) == (\d+)$/;
const IN_SOURCES = new RegExp(String.raw`^${Q} in ${R}\.GetSources\(\)$`);
const SOURCE_FIELD = new RegExp(
  String.raw`^${R}\.Sources\[${Q}\]\.(IP|Range|GetScope\(\)|GetValue\(\)) == ${Q}$`,
);
const SCENARIO = new RegExp(String.raw`^${R}\.Alert\.GetScenario\(\) == ${Q}$`);
const REMEDIATION = new RegExp(String.raw`^${R}\.Alert\.Remediation == (true|false)$`);
const COUNT = new RegExp(String.raw`^${R}\.Alert\.GetEventsCount\(\) == (\d+)$`);
const META = new RegExp(
  String.raw`^(basename\()?${R}\.Alert\.Events\[(\d+)\]\.GetMeta\(${Q}\)\)?(?:\[(\d+):\])? == ${Q}$`,
);

export function readScenarioAssert(lines: readonly string[]): ScenarioExpectation {
  const out: ScenarioExpectation = { alerts: [], unknown: [] };
  const at = (i: string): ExpectedAlert => {
    const index = Number(i);
    let a = out.alerts.find((x) => x.index === index);
    if (!a) {
      a = { index, sources: new Map(), meta: [] };
      out.alerts.push(a);
    }
    return a;
  };
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || !readLine(line, out, at)) out.unknown.push(line);
  }
  return out;
}

type Handler = (
  m: RegExpExecArray,
  out: ScenarioExpectation,
  at: (i: string) => ExpectedAlert,
) => void;
const str = (x: string | undefined) => goUnquote(x as string);

const HANDLERS: [RegExp, Handler][] = [
  [
    LEN,
    (m, out) => {
      out.count = Number(m[1]);
    },
  ],
  [
    IN_SOURCES,
    (m, _, at) => {
      source(at(m[2] as string), str(m[1]));
    },
  ],
  [
    SOURCE_FIELD,
    (m, _, at) => {
      const field = (m[3] as string).replace("()", "") as "IP" | "Range" | "GetScope" | "GetValue";
      source(at(m[1] as string), str(m[2]))[field] = str(m[4]);
    },
  ],
  [
    SCENARIO,
    (m, _, at) => {
      at(m[1] as string).scenario = str(m[2]);
    },
  ],
  [
    REMEDIATION,
    (m, _, at) => {
      at(m[1] as string).remediation = m[2] === "true";
    },
  ],
  [
    COUNT,
    (m, _, at) => {
      at(m[1] as string).eventsCount = Number(m[2]);
    },
  ],
  [
    META,
    (m, _, at) => {
      at(m[2] as string).meta.push(metaCheck(m));
    },
  ],
];

function readLine(
  line: string,
  out: ScenarioExpectation,
  at: (i: string) => ExpectedAlert,
): boolean {
  for (const [re, handle] of HANDLERS) {
    const m = re.exec(line);
    if (m) {
      handle(m, out, at);
      return true;
    }
  }
  return false;
}

function metaCheck(m: RegExpExecArray): MetaCheck {
  const transform: MetaCheck["transform"] = m[1]
    ? { kind: "basename" }
    : m[5]
      ? { kind: "slice", from: Number(m[5]) }
      : { kind: "none" };
  return {
    event: Number(m[3]),
    key: goUnquote(m[4] as string),
    transform,
    expected: goUnquote(m[6] as string),
  };
}

function source(a: ExpectedAlert, value: string) {
  let s = a.sources.get(value);
  if (!s) {
    s = {};
    a.sources.set(value, s);
  }
  return s;
}

/** Every way `alerts` differ from the expectation; empty when they conform. */
export function compareAlerts(expected: ScenarioExpectation, alerts: readonly Alert[]): string[] {
  const problems = expected.unknown.map((l) => `assert line not understood: ${l}`);
  if (expected.count !== undefined && alerts.length !== expected.count) {
    problems.push(
      `expected ${expected.count} alerts, got ${alerts.length}: ${alerts.map(describe).join("; ")}`,
    );
  }
  const free = new Set(alerts);
  for (const exp of expected.alerts) {
    const candidates = [...free].filter((a) => sameIdentity(exp, a));
    const scored = candidates.map((a) => ({ a, diff: diffAlert(exp, a) }));
    scored.sort((x, y) => x.diff.length - y.diff.length);
    const best = scored[0];
    if (!best) {
      problems.push(
        `results[${exp.index}]: no alert for ${exp.scenario} from ${[...exp.sources.keys()].join(", ")}`,
      );
      continue;
    }
    free.delete(best.a);
    problems.push(...best.diff.map((d) => `results[${exp.index}] (${exp.scenario}): ${d}`));
  }
  return problems;
}

function sameIdentity(exp: ExpectedAlert, alert: Alert): boolean {
  if (exp.scenario !== undefined && exp.scenario !== alert.scenario) return false;
  const values = new Set(sourcesOf(alert).map((s) => s.value));
  return values.size === exp.sources.size && [...exp.sources.keys()].every((v) => values.has(v));
}

function sourcesOf(alert: Alert): AlertSource[] {
  return alert.sources ?? [alert.source];
}

function diffAlert(exp: ExpectedAlert, alert: Alert): string[] {
  const out: string[] = [];
  if (exp.eventsCount !== undefined && exp.eventsCount !== alert.events_count) {
    out.push(`events_count ${alert.events_count}, expected ${exp.eventsCount}`);
  }
  if (exp.remediation !== undefined && exp.remediation !== alert.remediation) {
    out.push(`remediation ${alert.remediation}, expected ${exp.remediation}`);
  }
  for (const [value, fields] of exp.sources) {
    const s = sourcesOf(alert).find((x) => x.value === value);
    const got = {
      IP: s?.ip ?? "",
      Range: s?.range ?? "",
      GetScope: s?.scope ?? "",
      GetValue: s?.value ?? "",
    };
    for (const [k, v] of Object.entries(fields)) {
      const actual = got[k as keyof typeof got];
      if (actual !== v)
        out.push(`source ${value} ${k} ${JSON.stringify(actual)}, expected ${JSON.stringify(v)}`);
    }
  }
  for (const c of exp.meta) {
    const actual = metaValue(alert, c);
    if (actual !== c.expected) {
      out.push(
        `Events[${c.event}].${c.key} ${JSON.stringify(actual)}, expected ${JSON.stringify(c.expected)}`,
      );
    }
  }
  return out;
}

function metaValue(alert: Alert, c: MetaCheck): string {
  const v = alert.events[c.event]?.Meta[c.key] ?? "";
  if (c.transform.kind === "basename") return v.slice(v.lastIndexOf("/") + 1);
  if (c.transform.kind === "slice") return v.slice(c.transform.from);
  return v;
}

function describe(a: Alert): string {
  return `${a.scenario} ${sourcesOf(a)
    .map((s) => s.value)
    .join(",")} x${a.events_count}`;
}
