import { describe, expect, it } from "vitest";
import type { Alert } from "../../../src/core/alert";
import { BucketEngine } from "../../../src/core/bucket/engine";
import { GuardIndex } from "../../../src/core/bucket/guard/scenario-index";
import { dataStoreFrom } from "../../../src/core/data";
import type { Event } from "../../../src/core/event";
import { EvalCache } from "../../../src/core/expr";
import { type CompiledScenario, loadScenarios } from "../../../src/core/scenario/index";

// The engine with guards and the per-event cache, on real compiled expressions.

function trigger(name: string, filter: string): string {
  return `type: trigger
name: t/${name}
description: test
filter: ${JSON.stringify(filter)}
groupby: evt.Meta.source_ip
labels:
  remediation: true
`;
}

function load(...docs: string[]): CompiledScenario[] {
  const r = loadScenarios([{ path: "t.yaml", text: docs.join("---\n") }], {
    data: dataStoreFrom({}),
  });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join("\n"));
  return r.value;
}

function event(meta: Record<string, string>, t = 0): Event {
  return {
    Line: { Raw: "x", Src: "-", Labels: { type: "nginx" }, Module: "file" },
    Parsed: {},
    Meta: { log_type: "http_access-log", source_ip: "192.0.2.1", ...meta },
    Enriched: {},
    Unmarshaled: {},
    Time: Date.UTC(2024, 0, 1) + t,
    Whitelisted: false,
  };
}

const names = (alerts: readonly Alert[]) => alerts.map((a) => a.scenario);

describe("BucketEngine with guards", () => {
  it("a filter that modifies the event is seen by the scenarios after it", () => {
    // t/before computes Upper(evt.Meta.tag) while tag is unset; t/setter sets it; t/after
    // must see the new value, not the one cached (or guarded) before.
    const scenarios = load(
      trigger("before", "Upper(evt.Meta.tag) == 'X'"),
      trigger("setter", "evt.SetMeta('tag', 'x') && false"),
      trigger("after", "Upper(evt.Meta.tag) == 'X'"),
    );
    expect(scenarios[1]?.filter.effects).toBe(true);
    const engine = new BucketEngine(scenarios);
    expect(names(engine.process(event({})))).toEqual(["t/after"]);
  });

  it("skips scenarios whose guard fails, and pours into those whose filter holds", () => {
    const scenarios = load(
      trigger("probe", "Upper(evt.Meta.http_path) contains '/ADMIN'"),
      trigger("status", "evt.Meta.http_status in ['401', '403']"),
      trigger("always", "evt.Meta.source_ip != ''"),
    );
    const engine = new BucketEngine(scenarios);
    const index = new GuardIndex(scenarios);
    const cache = new EvalCache();
    const check = (meta: Record<string, string>) => {
      cache.next();
      const env = { evt: event(meta) };
      const list = [...index.candidates(0, env, cache).subarray(0, index.count)];
      return list;
    };
    expect(check({ http_path: "/index.html", http_status: "200" })).toEqual([2]);
    expect(check({ http_path: "/x/Admin/", http_status: "403" })).toEqual([0, 1, 2]);
    expect(names(engine.process(event({ http_path: "/Admin", http_status: "200" }, 1)))).toEqual([
      "t/probe",
      "t/always",
    ]);
    expect(engine.stats.poured).toBe(2);
  });

  it("counts a failing filter the guard lets through, as before", () => {
    const scenarios = load(
      trigger("bad", "evt.Meta.log_type == 'http_access-log' && Upper(evt.Unmarshaled.n) == 'A'"),
    );
    const engine = new BucketEngine(scenarios);
    const e = event({});
    e.Unmarshaled.n = 5;
    engine.process(e);
    expect(engine.stats.exprErrors).toBe(1);
    // Another log type: the guard skips the filter, which therefore cannot fail.
    engine.process({ ...event({ log_type: "ssh_failed-auth" }, 1), Unmarshaled: { n: 5 } });
    expect(engine.stats.exprErrors).toBe(1);
  });
  it("remembers a derived subject per base string, and only its own value", () => {
    const scenarios = load(
      trigger("passwd", "PathUnescape(evt.Meta.http_path) contains '/etc/passwd'"),
      trigger("space", "PathUnescape(evt.Meta.http_path) == '/a b'"),
      // An invalid escape leaves the path as it is (Go's error, answered with the input).
      trigger(
        "kept",
        "QueryUnescape(evt.Meta.http_path) == evt.Meta.http_path && evt.Meta.http_path contains '%'",
      ),
    );
    const engine = new BucketEngine(scenarios);
    // Equal strings that are different objects, as every parsed line gives.
    const fresh = (...parts: string[]) => parts.join("");
    const paths = [
      fresh("/%65tc", "/passwd"),
      fresh("/a%20", "b"),
      fresh("/%65tc", "/passwd"),
      fresh("/plain"),
      fresh("/a%20", "b"),
      fresh("/a", "%2"),
      fresh("/%65tc", "/shadow"),
      fresh("/a", "%2"),
    ];
    const got = paths.map((p, t) => names(engine.process(event({ http_path: p }, t * 1000))));
    expect(got).toEqual([
      ["t/passwd"],
      ["t/space"],
      ["t/passwd"],
      [],
      ["t/space"],
      ["t/kept"],
      [],
      ["t/kept"],
    ]);
    expect(engine.stats.exprErrors).toBe(0);
  });
});
