import { describe, expect, it } from "vitest";
import { pour } from "../../../src/core/bucket/pour";
import { event, leakyYaml, loadOne, pourAll, SEC, T0 } from "./support";

const bf = loadOne(leakyYaml());
const pourBf = (s: Parameters<typeof pour>[0], e: Parameters<typeof pour>[2]) =>
  pour(s, bf, e, e.Time, "1.2.3.4");

describe("leaky bucket", () => {
  it("holds C events and overflows on the (C+1)-th", () => {
    const five = Array.from({ length: 5 }, (_, i) => event("1.2.3.4", T0 + i));
    const held = pourAll(pourBf, five);
    expect(held.alerts).toEqual([]);
    expect(held.state?.live?.count).toBe(5);
    const sixth = pourBf(held.state, event("1.2.3.4", T0 + 5));
    expect(sixth.overflow?.events_count).toBe(6);
    expect(sixth.overflow?.events.map((e) => e.Time)).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => T0 + i),
    );
    expect(sixth.state).toBeUndefined();
  });

  it("builds the alert in CrowdSec's shape", () => {
    const events = Array.from({ length: 6 }, (_, i) => event("1.2.3.4", T0 + i * 500));
    const [alert] = pourAll(pourBf, events).alerts;
    expect(alert).toMatchObject({
      scenario: "test/bf",
      source: { scope: "Ip", value: "1.2.3.4", ip: "1.2.3.4" },
      sources: [{ scope: "Ip", value: "1.2.3.4", ip: "1.2.3.4" }],
      events_count: 6,
      start_at: T0,
      stop_at: T0 + 2500,
      capacity: 5,
      leakspeed: 10 * SEC,
      remediation: true,
      labels: { remediation: true },
    });
    expect(alert?.message).toBe(
      "Ip 1.2.3.4 performed 'test/bf' (6 events over 2.5s) at 2026-02-12 14:10:02.5 +0000 UTC",
    );
  });

  it("gives one token back per leakspeed, deciding exactly at the boundary", () => {
    const burst = Array.from({ length: 5 }, () => event("1.2.3.4", T0));
    const full = pourAll(pourBf, burst).state;
    // one leakspeed later exactly one event fits again
    const onTime = pourBf(full, event("1.2.3.4", T0 + 10 * SEC));
    expect(onTime.overflow).toBeUndefined();
    expect(pourBf(onTime.state, event("1.2.3.4", T0 + 10 * SEC)).overflow).toBeDefined();
    // a millisecond early it does not
    expect(pourBf(full, event("1.2.3.4", T0 + 10 * SEC - 1)).overflow).toBeDefined();
  });

  it("never overflows at exactly one event per leakspeed and does one event faster", () => {
    const steady = Array.from({ length: 200 }, (_, i) => event("1.2.3.4", T0 + i * 10 * SEC));
    expect(pourAll(pourBf, steady).alerts).toEqual([]);
    // 7 s apart, event k finds 5 - 0.3k tokens: k = 14 is the first to find less than one
    const fast = Array.from({ length: 200 }, (_, i) => event("1.2.3.4", T0 + i * 7 * SEC));
    const { alerts } = pourAll(pourBf, fast);
    expect(alerts[0]?.events_count).toBe(15);
    expect(alerts[0]?.stop_at).toBe(T0 + 14 * 7 * SEC);
    expect(alerts[0]?.events).toHaveLength(6);
  });

  it("counts every event poured in the bucket's life, like CrowdSec's Total_count", () => {
    // the hub's ssh-slow-bf case: capacity 10, leakspeed 60s, one attempt every ~30s
    const slow = loadOne(leakyYaml().replace("capacity: 5", "capacity: 10").replace("10s", "60s"));
    const offsets = [0, 27, 57, 87, 120, 147, 180, 207, 240, 267, 300, 327, 360, 387, 420, 447];
    const more = [480, 507, 540, 567, 600, 627];
    const events = [...offsets, ...more].map((s) => event("9.9.9.9", T0 + s * SEC));
    const { alerts } = pourAll((s, e) => pour(s, slow, e, e.Time), events);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.events_count).toBe(20);
    expect(alerts[0]?.events[0]?.Time).toBe(T0 + 267 * SEC);
    expect(alerts[0]?.events).toHaveLength(11);
  });

  it("forgets a bucket left alone for (C+1) × leakspeed (underflow) and starts afresh", () => {
    const four = Array.from({ length: 4 }, (_, i) => event("1.2.3.4", T0 + i));
    const held = pourAll(pourBf, four).state;
    const lifetime = 6 * 10 * SEC;
    const stillAlive = pourBf(held, event("1.2.3.4", T0 + 3 + lifetime));
    expect(stillAlive.state?.live?.count).toBe(5);
    const fresh = pourBf(held, event("1.2.3.4", T0 + 3 + lifetime + 1));
    expect(fresh.state?.live?.count).toBe(1);
    expect(fresh.state?.live?.first).toBe(T0 + 3 + lifetime + 1);
  });

  it("starts a new bucket after an overflow", () => {
    const six = Array.from({ length: 7 }, (_, i) => event("1.2.3.4", T0 + i));
    const { state, alerts } = pourAll(pourBf, six);
    expect(alerts).toHaveLength(1);
    expect(state?.live?.count).toBe(1);
    expect(state?.live?.first).toBe(T0 + 6);
  });
});
