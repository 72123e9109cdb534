// Test support: hand-built events and a stand-in expression compiler, so bucket
// behaviour is tested on its own, independent of the expression interpreter.
import type { Alert } from "../../../src/core/alert";
import type { BucketState } from "../../../src/core/bucket/state";
import { dataStoreFrom } from "../../../src/core/data";
import type { Event } from "../../../src/core/event";
import type { CompiledExpr } from "../../../src/core/expr/index";
import { loadScenarios } from "../../../src/core/scenario/load";
import type { CompiledScenario, ExprCompiler } from "../../../src/core/scenario/types";

export const T0 = Date.UTC(2026, 1, 12, 14, 10, 0);
export const SEC = 1000;

export function event(ip: string, at: number, meta: Record<string, string> = {}): Event {
  return {
    Line: { Raw: `line from ${ip}`, Src: "test.log", Labels: { type: "test" }, Module: "file" },
    Parsed: {},
    Meta: { source_ip: ip, log_type: "fail", ...meta },
    Enriched: {},
    Unmarshaled: {},
    Time: at,
    Whitelisted: false,
  };
}

type Env = Record<string, unknown>;
const evt = (env: Env) => env.evt as Event;
const queue = (env: Env) => (env.queue as { Queue: Event[] }).Queue;

/** The expressions the test scenarios use, as the interpreter would evaluate them. */
export const expressions: Record<string, (env: Env) => unknown> = {
  "evt.Meta.log_type == 'fail'": (env) => evt(env).Meta.log_type === "fail",
  "evt.Meta.log_type in ['fail', 'ok']": (env) =>
    ["fail", "ok"].includes(evt(env).Meta.log_type ?? ""),
  "evt.Meta.log_type == 'ok'": (env) => evt(env).Meta.log_type === "ok",
  "evt.Meta.source_ip": (env) => evt(env).Meta.source_ip,
  "evt.Meta.target_user": (env) => evt(env).Meta.target_user,
  "evt.Meta.user": (env) => evt(env).Meta.user,
  "evt.Meta.bad_key": () => 42,
  "len(queue.Queue) >= 3": (env) => queue(env).length >= 3,
  "len(queue.Queue) > 4": (env) => queue(env).length > 4,
  "queue.Queue[0].Meta.target_user != 'root'": (env) => queue(env)[0]?.Meta.target_user !== "root",
  "IpToRange(evt.Meta.source_ip, '/24')": (env) =>
    `${(evt(env).Meta.source_ip ?? "").split(".").slice(0, 3).join(".")}.0/24`,
  "File('words.txt')": () => true,
};

/** A compiler that knows the expressions above and counts evaluations per source. */
export function fakeCompiler(runs = new Map<string, number>()): ExprCompiler {
  return (source, options) => {
    const fn = expressions[source.trim()];
    if (!fn) {
      return {
        ok: false,
        errors: [
          {
            code: "expr.syntax",
            path: options.path ?? "",
            message: `unknown test expression ${source}`,
            severity: "error",
          },
        ],
      };
    }
    const value: CompiledExpr = {
      source,
      run: (env) => {
        runs.set(source, (runs.get(source) ?? 0) + 1);
        return fn(env);
      },
    };
    return { ok: true, value, warnings: [] };
  };
}

/** Loads scenario YAML with the stand-in compiler; fails the test on any error. */
export function load(yaml: string, runs?: Map<string, number>): CompiledScenario[] {
  const r = loadScenarios([{ path: "test.yaml", text: yaml }], {
    compile: fakeCompiler(runs),
    data: dataStoreFrom({ "words.txt": "a\nb\n" }),
  });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join("\n"));
  return r.value;
}

export function loadOne(yaml: string): CompiledScenario {
  const [s] = load(yaml);
  if (!s) throw new Error("no scenario in YAML");
  return s;
}

export function leakyYaml(extra = ""): string {
  return `type: leaky
name: test/bf
description: test
filter: "evt.Meta.log_type == 'fail'"
groupby: evt.Meta.source_ip
capacity: 5
leakspeed: 10s
labels:
  remediation: true
${extra}`;
}

/** Pours events one after another into one key, collecting overflows. */
export function pourAll(
  pourFn: (
    s: BucketState | undefined,
    e: Event,
  ) => { state: BucketState | undefined; overflow?: Alert; expired?: Alert },
  events: readonly Event[],
): { state: BucketState | undefined; alerts: Alert[] } {
  let state: BucketState | undefined;
  const alerts: Alert[] = [];
  for (const e of events) {
    const r = pourFn(state, e);
    state = r.state;
    if (r.expired) alerts.push(r.expired);
    if (r.overflow) alerts.push(r.overflow);
  }
  return { state, alerts };
}

/** Freezes a value and everything it holds, so any mutation throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
