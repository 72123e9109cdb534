// Guards are conservative: whenever the guard index skips a scenario for an event, the
// scenario's filter is not true for that event. Checked over every hub scenario (and
// CrowdSec 1.4.6's installed ones when present) against the hub test logs and fuzzed
// events built from the scenarios' own literals; and an engine with guards gives the same
// alerts as one whose filters have none.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Alert } from "../../../src/core/alert";
import { BucketEngine } from "../../../src/core/bucket/engine";
import { GuardIndex } from "../../../src/core/bucket/guard/index";
import { ScenarioRouter } from "../../../src/core/bucket/router";
import type { Event } from "../../../src/core/event";
import { EvalCache } from "../../../src/core/expr/index";
import type { CompiledScenario } from "../../../src/core/scenario/index";
import { hubLogEvents, scenarioSets } from "./guard-corpus";
import { eventArb, vocabulary } from "./guard-fuzz";

const sets = scenarioSets();
const logs = hubLogEvents();

function filterTrue(s: CompiledScenario, evt: Event): boolean {
  // A fresh copy: some hub filters modify the event (evt.SetMeta).
  const env = { evt: structuredClone(evt) };
  try {
    return s.filter.run(env) === true;
  } catch {
    return false;
  }
}

/** Scenarios the index skips although their filter is true for `evt` (should be none). */
function missed(index: GuardIndex, scenarios: CompiledScenario[], evt: Event): string[] {
  const cache = new EvalCache();
  const env = { evt: structuredClone(evt) };
  const list = index.candidates(0, env, cache);
  const admitted = new Set(list.subarray(0, index.count));
  return scenarios.flatMap((s, i) =>
    admitted.has(i) || !filterTrue(s, evt) ? [] : [`${s.name} on ${JSON.stringify(evt.Meta)}`],
  );
}

/** The same scenarios with their filters' guards hidden: every filter runs. */
function unguarded(scenarios: CompiledScenario[]): CompiledScenario[] {
  return scenarios.map((s) => {
    const f = s.filter;
    return { ...s, filter: { source: f.source, run: (env) => f.run(env) } };
  });
}

function replay(scenarios: CompiledScenario[], events: Event[][]): Alert[] {
  const out: Alert[] = [];
  for (const list of events) {
    const engine = new BucketEngine(scenarios);
    for (const e of list) out.push(...engine.process(structuredClone(e)));
  }
  return out;
}

describe.runIf(sets.length > 0)("guards never skip a scenario whose filter is true", () => {
  for (const set of sets) {
    const guarded = set.scenarios.filter((s) => s.filter.guard).length;

    it(`${set.name}: most http scenarios get a guard`, () => {
      expect(set.scenarios.length).toBeGreaterThan(30);
      expect(guarded / set.scenarios.length).toBeGreaterThan(0.8);
    });

    it(`${set.name}: on every hub test log line`, () => {
      const index = new GuardIndex(set.scenarios);
      const events = logs.flat();
      expect(events.length).toBeGreaterThan(1000);
      expect(events.flatMap((e) => missed(index, set.scenarios, e))).toEqual([]);
    });

    it(`${set.name}: the same with a two-slot memo, which every event overflows`, () => {
      // Strings evict each other within one event (a path's slot taken by its user agent
      // while its unescaped form is being added): what the memo answers must not change.
      const tiny = new GuardIndex(set.scenarios, 1);
      const full = new GuardIndex(set.scenarios);
      const admitted = (index: GuardIndex, evt: Event) => {
        const list = index.candidates(0, { evt: structuredClone(evt) }, new EvalCache());
        return [...list.subarray(0, index.count)];
      };
      const events = logs.flat();
      expect(events.flatMap((e) => missed(tiny, set.scenarios, e))).toEqual([]);
      const differ = events.filter(
        (e) => JSON.stringify(admitted(tiny, e)) !== JSON.stringify(admitted(full, e)),
      );
      expect(differ.map((e) => e.Line.Raw)).toEqual([]);
      // Fuzzed events repeat one string across fields, in every order of eviction.
      const small = new GuardIndex(set.scenarios, 2);
      fc.assert(
        fc.property(eventArb(vocabulary(set.scenarios)), (evt) => {
          expect(admitted(tiny, evt)).toEqual(admitted(full, evt));
          expect(admitted(small, evt)).toEqual(admitted(full, evt));
        }),
        { numRuns: 400 },
      );
    });

    it(`${set.name}: on fuzzed events made of the guards' own literals`, () => {
      const index = new GuardIndex(set.scenarios);
      const arb = eventArb(vocabulary(set.scenarios));
      let matching = 0;
      fc.assert(
        fc.property(arb, (evt) => {
          expect(missed(index, set.scenarios, evt)).toEqual([]);
          matching += set.scenarios.filter((s) => filterTrue(s, evt)).length;
        }),
        { numRuns: 400 },
      );
      // The fuzzer reaches the filters' true side, not only their easy false one.
      expect(matching).toBeGreaterThan(100);
    });

    it(`${set.name}: an engine with guards gives the alerts of one without`, () => {
      const a = replay(set.scenarios, logs);
      const b = replay(unguarded(set.scenarios), logs);
      const brief = (list: Alert[]) =>
        list.map((x) => `${x.scenario} ${x.source.value} ${x.stop_at}`);
      expect(a.length).toBeGreaterThan(0);
      expect(brief(a)).toEqual(brief(b));
      expect(JSON.stringify(a) === JSON.stringify(b)).toBe(true);
    });

    it(`${set.name}: the router (what ingest asks) matches every filter and groupby run alone`, () => {
      const router = new ScenarioRouter(set.scenarios);
      const bare = new ScenarioRouter(unguarded(set.scenarios));
      const alone = (evt: Event) =>
        set.scenarios.flatMap((s) => {
          if (!filterTrue(s, evt)) return [];
          const key = s.groupby ? s.groupby.run({ evt: structuredClone(evt) }) : "";
          return typeof key === "string" ? [[s.name, key]] : [];
        });
      const events = logs.flat();
      const routed = events.map((e) => router.matches(structuredClone(e)) ?? []);
      expect(routed.some((m) => m.length > 0)).toBe(true);
      expect(routed).toEqual(events.map((e) => bare.matches(structuredClone(e)) ?? []));
      fc.assert(
        fc.property(eventArb(vocabulary(set.scenarios)), (evt) => {
          expect(router.matches(structuredClone(evt)) ?? []).toEqual(alone(evt));
        }),
        { numRuns: 400 },
      );
    });
  }
});
