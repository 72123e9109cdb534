import { describe, expect, it } from "vitest";
import { BucketEngine } from "../../../src/core/bucket/engine";
import { expiresAt, pour, tick } from "../../../src/core/bucket/pour";
import { event, loadOne, pourAll, SEC, T0 } from "./support";

const base = `description: test
filter: "evt.Meta.log_type == 'fail'"
groupby: evt.Meta.source_ip
`;

describe("trigger bucket", () => {
  const trigger = loadOne(`type: trigger\nname: test/cve\n${base}blackhole: 1m\n`);

  it("overflows on the first event, with one event in the alert", () => {
    const r = pour(undefined, trigger, event("1.2.3.4", T0), T0);
    expect(r.overflow).toMatchObject({
      events_count: 1,
      start_at: T0,
      stop_at: T0,
      capacity: 0,
      leakspeed: 0,
    });
    expect(r.overflow?.events).toHaveLength(1);
    expect(r.state).toEqual({ v: 1, blackholeUntil: T0 + 60 * SEC });
  });

  it("keeps no state at all without a blackhole", () => {
    const bare = loadOne(`type: trigger\nname: test/cve\n${base}`);
    const r = pour(undefined, bare, event("1.2.3.4", T0), T0);
    expect(r.overflow).toBeDefined();
    expect(r.state).toBeUndefined();
  });
});

describe("counter bucket", () => {
  const counter = loadOne(`type: counter\nname: test/count\n${base}capacity: -1\nduration: 10s\n`);

  it("counts events for its duration, then overflows with the count", () => {
    const events = [0, 2, 4, 9].map((s) => event("1.2.3.4", T0 + s * SEC));
    const during = pourAll((s, e) => pour(s, counter, e, e.Time), events);
    expect(during.alerts).toEqual([]);
    const after = pour(during.state, counter, event("1.2.3.4", T0 + 10 * SEC), T0 + 10 * SEC);
    expect(after.expired).toMatchObject({
      events_count: 4,
      start_at: T0,
      stop_at: T0 + 10 * SEC,
      capacity: -1,
    });
    expect(after.state?.live?.count).toBe(1);
    expect(after.state?.live?.first).toBe(T0 + 10 * SEC);
  });

  it("is due at first event + duration for alarms (tick / expiresAt)", () => {
    const { state } = pourAll(
      (s, e) => pour(s, counter, e, e.Time),
      [event("1.2.3.4", T0), event("1.2.3.4", T0 + SEC)],
    );
    if (!state) throw new Error("no state");
    expect(expiresAt(state, counter)).toBe(T0 + 10 * SEC);
    expect(tick(state, counter, T0 + 10 * SEC - 1).overflow).toBeUndefined();
    const due = tick(state, counter, T0 + 10 * SEC);
    expect(due.overflow?.events_count).toBe(2);
    expect(due.state).toBeUndefined();
  });

  it("is emitted by the engine when time passes, in time order", () => {
    const engine = new BucketEngine([counter]);
    expect(engine.process(event("1.2.3.4", T0))).toEqual([]);
    expect(engine.process(event("5.6.7.8", T0 + 5 * SEC))).toEqual([]);
    const first = engine.process(event("9.9.9.9", T0 + 12 * SEC));
    expect(first.map((a) => [a.source.value, a.stop_at])).toEqual([["1.2.3.4", T0 + 10 * SEC]]);
    const second = engine.advance(T0 + 15 * SEC);
    expect(second.map((a) => [a.source.value, a.stop_at])).toEqual([["5.6.7.8", T0 + 15 * SEC]]);
    expect(engine.advance(T0 + 30 * SEC).map((a) => a.source.value)).toEqual(["9.9.9.9"]);
    expect(engine.liveBuckets).toBe(0);
  });
});

describe("conditional bucket", () => {
  const conditional = loadOne(`type: conditional
name: test/cond
${base}capacity: -1
leakspeed: 1h
condition: len(queue.Queue) >= 3
`);

  it("evaluates the condition with the queue after every pour", () => {
    const events = [0, 600, 1200].map((s) => event("1.2.3.4", T0 + s * SEC));
    const { alerts, state } = pourAll((s, e) => pour(s, conditional, e, e.Time), events);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ events_count: 3, start_at: T0, stop_at: T0 + 1200 * SEC });
    expect(state).toBeUndefined();
  });

  it("lives for leakspeed after its last event", () => {
    const two = [event("1.2.3.4", T0), event("1.2.3.4", T0 + 3600 * SEC + 1)];
    const { state } = pourAll((s, e) => pour(s, conditional, e, e.Time), two);
    expect(state?.live?.count).toBe(1);
  });
});
