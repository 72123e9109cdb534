import { describe, expect, it } from "vitest";
import { BucketEngine } from "../../../src/core/bucket/engine";
import { ScenarioRouter } from "../../../src/core/bucket/router";
import { event, leakyYaml, load, loadOne, SEC, T0 } from "./support";

describe("BucketEngine", () => {
  it("keys buckets by scenario and groupby value", () => {
    const engine = new BucketEngine(
      load(`${leakyYaml("blackhole: 1m\n")}---\n${leakyYaml().replace("test/bf", "test/bf2")}`),
    );
    const alerts = [];
    for (let i = 0; i < 6; i++) {
      alerts.push(...engine.process(event("1.1.1.1", T0 + i)));
      alerts.push(...engine.process(event("2.2.2.2", T0 + i)));
    }
    expect(alerts.map((a) => `${a.scenario} ${a.source.value}`).sort()).toEqual([
      "test/bf 1.1.1.1",
      "test/bf 2.2.2.2",
      "test/bf2 1.1.1.1",
      "test/bf2 2.2.2.2",
    ]);
  });

  it("evaluates groupby only for events that pass the filter", () => {
    const runs = new Map<string, number>();
    const engine = new BucketEngine(load(leakyYaml(), runs));
    for (let i = 0; i < 10; i++)
      engine.process(event("1.1.1.1", T0 + i * SEC, { log_type: "other" }));
    engine.process(event("1.1.1.1", T0 + 20 * SEC));
    expect(runs.get("evt.Meta.log_type == 'fail'")).toBe(11);
    expect(runs.get("evt.Meta.source_ip")).toBe(1);
    expect(engine.stats).toMatchObject({ events: 11, poured: 1, alerts: 0 });
  });

  it("ignores whitelisted events", () => {
    const engine = new BucketEngine([loadOne(leakyYaml())]);
    for (let i = 0; i < 10; i++) {
      const e = event("1.1.1.1", T0 + i);
      e.Whitelisted = true;
      expect(engine.process(e)).toEqual([]);
    }
    expect(engine.liveBuckets).toBe(0);
  });

  it("counts a groupby that is not a string as an expression error and skips the event", () => {
    const engine = new BucketEngine([
      loadOne(leakyYaml().replace("groupby: evt.Meta.source_ip", "groupby: evt.Meta.bad_key")),
    ]);
    engine.process(event("1.1.1.1", T0));
    expect(engine.stats.exprErrors).toBe(1);
    expect(engine.liveBuckets).toBe(0);
  });

  it("drops idle buckets so memory follows live buckets, not input size", () => {
    // 100k sources, one failure each, 10 per second: every bucket goes idle 60 s after
    // its event, so about 600 are alive at any time; sweeps keep the map near that.
    const engine = new BucketEngine([loadOne(leakyYaml("blackhole: 1m\n"))], {
      minSweepInterval: 1000,
    });
    let peak = 0;
    for (let i = 0; i < 100_000; i++) {
      const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      engine.process(event(ip, T0 + i * 100));
      peak = Math.max(peak, engine.liveBuckets);
    }
    expect(peak).toBeLessThan(2_000);
    expect(engine.advance(T0 + 100_000 * 100 + 61 * SEC)).toEqual([]);
    expect(engine.liveBuckets).toBe(0);
  });

  it("keeps blackholes until they end, then forgets the key", () => {
    const engine = new BucketEngine([loadOne(leakyYaml("blackhole: 5m\n"))], {
      minSweepInterval: 1,
    });
    for (let i = 0; i < 6; i++) engine.process(event("1.1.1.1", T0 + i));
    expect(engine.stats.alerts).toBe(1);
    engine.advance(T0 + 4 * 60 * SEC);
    expect(engine.stateOf(0, "1.1.1.1")).toEqual({ v: 1, blackholeUntil: T0 + 5 + 5 * 60 * SEC });
    engine.advance(T0 + 5 + 5 * 60 * SEC);
    expect(engine.liveBuckets).toBe(0);
  });

  it("emits nothing at end of input for buckets that did not overflow", () => {
    const engine = new BucketEngine([loadOne(leakyYaml())]);
    for (let i = 0; i < 5; i++) engine.process(event("1.1.1.1", T0 + i));
    expect(engine.advance(T0 + 3600 * SEC)).toEqual([]);
  });
});

describe("ScenarioRouter", () => {
  it("gives the groupby value of matching events only", () => {
    const router = new ScenarioRouter([loadOne(leakyYaml())]);
    expect(router.matches(event("1.1.1.1", T0))).toEqual([["test/bf", "1.1.1.1"]]);
    expect(router.matches(event("1.1.1.1", T0, { log_type: "other" }))).toBeUndefined();
    const whitelisted = event("1.1.1.1", T0);
    whitelisted.Whitelisted = true;
    expect(router.matches(whitelisted)).toBeUndefined();
    const ungrouped = loadOne(leakyYaml().replace("groupby: evt.Meta.source_ip\n", ""));
    expect(new ScenarioRouter([ungrouped]).matches(event("1.1.1.1", T0))).toEqual([
      ["test/bf", ""],
    ]);
  });

  it("visits every matching scenario in order and counts failing expressions", () => {
    const ok = loadOne(leakyYaml());
    const second = loadOne(leakyYaml().replace("test/bf", "test/bf2"));
    const badKey = loadOne(
      leakyYaml()
        .replace("test/bf", "test/badkey")
        .replace("groupby: evt.Meta.source_ip", "groupby: evt.Meta.bad_key"),
    );
    const router = new ScenarioRouter([ok, badKey, second]);
    const seen: string[] = [];
    router.route(event("1.1.1.1", T0), (i, key) => {
      seen.push(`${i}:${key}`);
      return false;
    });
    expect(seen).toEqual(["0:1.1.1.1", "2:1.1.1.1"]);
    expect(router.exprErrors).toBe(1);
  });
});
