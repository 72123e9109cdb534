import { describe, expect, it } from "vitest";
import { pour } from "../../../src/core/bucket/pour";
import type { Event } from "../../../src/core/event";
import { event, leakyYaml, loadOne, pourAll, SEC, T0 } from "./support";

const run = (yaml: string, events: Event[]) => {
  const s = loadOne(yaml);
  return pourAll((st, e) => pour(st, s, e, e.Time, e.Meta.source_ip), events);
};
const attempts = (
  n: number,
  at: (i: number) => number,
  meta: (i: number) => Record<string, string> = () => ({}),
) => Array.from({ length: n }, (_, i) => event("1.2.3.4", at(i), meta(i)));

describe("distinct", () => {
  const yaml = leakyYaml("distinct: evt.Meta.target_user\n");

  it("drops events whose value is already in the bucket", () => {
    const users = ["a", "b", "a", "c", "b", "d", "a", "e"];
    const { alerts, state } = run(
      yaml,
      attempts(
        users.length,
        (i) => T0 + i,
        (i) => ({ target_user: users[i] ?? "" }),
      ),
    );
    expect(alerts).toEqual([]);
    expect(state?.live?.count).toBe(5);
    expect(state?.live?.queue.map((e) => e.Meta.target_user)).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("overflows on the sixth distinct value", () => {
    const users = ["a", "b", "a", "c", "d", "e", "f"];
    const { alerts } = run(
      yaml,
      attempts(
        users.length,
        (i) => T0 + i,
        (i) => ({ target_user: users[i] ?? "" }),
      ),
    );
    expect(alerts.map((a) => a.events_count)).toEqual([6]);
    expect(alerts[0]?.events.map((e) => e.Meta.target_user)).toEqual([
      "a",
      "b",
      "c",
      "d",
      "e",
      "f",
    ]);
  });

  it("files non-string values under one empty value, as CrowdSec does", () => {
    const odd = leakyYaml("distinct: evt.Meta.bad_key\n");
    const { state } = run(
      odd,
      attempts(3, (i) => T0 + i),
    );
    expect(state?.live?.count).toBe(1);
  });
});

describe("blackhole", () => {
  const yaml = leakyYaml("blackhole: 1m\n");
  const burst = (start: number) => attempts(6, (i) => start + i);

  it("discards the same key's overflows until it ends, then lets them through again", () => {
    const silenced = [...burst(T0), ...burst(T0 + 30 * SEC)];
    expect(run(yaml, silenced).alerts.map((a) => a.stop_at)).toEqual([T0 + 5]);
    const later = [...burst(T0), ...burst(T0 + 30 * SEC), ...burst(T0 + 61 * SEC)];
    expect(run(yaml, later).alerts.map((a) => a.stop_at)).toEqual([T0 + 5, T0 + 61 * SEC + 5]);
  });

  it("does not restart the blackhole on a discarded overflow", () => {
    const events = [...burst(T0), ...burst(T0 + 50 * SEC), ...burst(T0 + 60 * SEC + 5)];
    expect(run(yaml, events).alerts.map((a) => a.stop_at)).toEqual([T0 + 5, T0 + 60 * SEC + 10]);
  });
});

describe("cancel_on", () => {
  const yaml = leakyYaml("cancel_on: evt.Meta.log_type == 'ok'\n").replace(
    "filter: \"evt.Meta.log_type == 'fail'\"",
    "filter: \"evt.Meta.log_type in ['fail', 'ok']\"",
  );

  it("destroys the bucket without an overflow; counting starts again", () => {
    const events = [
      ...attempts(4, (i) => T0 + i),
      event("1.2.3.4", T0 + 10, { log_type: "ok" }),
      ...attempts(5, (i) => T0 + 20 + i),
    ];
    const { alerts, state } = run(yaml, events);
    expect(alerts).toEqual([]);
    expect(state?.live?.count).toBe(5);
    expect(state?.live?.first).toBe(T0 + 20);
  });
});

describe("overflow_filter", () => {
  it("discards an overflow when the filter says false", () => {
    const yaml = leakyYaml("overflow_filter: queue.Queue[0].Meta.target_user != 'root'\n");
    const byUser = (u: string) =>
      attempts(
        6,
        (i) => T0 + i,
        () => ({ target_user: u }),
      );
    expect(run(yaml, byUser("root")).alerts).toEqual([]);
    expect(run(yaml, byUser("admin")).alerts).toHaveLength(1);
  });
});

describe("cache_size", () => {
  it("bounds the events kept for the alert, not the count", () => {
    const yaml = leakyYaml("cache_size: 3\n").replace("capacity: 5", "capacity: 8");
    const { alerts } = run(
      yaml,
      attempts(9, (i) => T0 + i),
    );
    expect(alerts[0]?.events_count).toBe(9);
    expect(alerts[0]?.events.map((e) => e.Time)).toEqual([5, 6, 7, 8].map((i) => T0 + i));
  });
});

describe("scope", () => {
  it("Range takes the range from the scope expression", () => {
    const yaml = leakyYaml(
      "scope:\n  type: Range\n  expression: IpToRange(evt.Meta.source_ip, '/24')\n",
    );
    const [alert] = run(
      yaml,
      attempts(6, (i) => T0 + i),
    ).alerts;
    expect(alert?.source).toEqual({ scope: "Range", value: "1.2.3.0/24", ip: "1.2.3.4" });
    expect(alert?.message.startsWith("Range 1.2.3.0/24 performed")).toBe(true);
  });

  it("Range without an expression uses the event's SourceRange", () => {
    const yaml = leakyYaml("scope:\n  type: Range\n");
    const events = attempts(
      6,
      (i) => T0 + i,
      () => ({ SourceRange: "1.2.3.4/16" }),
    );
    expect(run(yaml, events).alerts[0]?.source).toEqual({
      scope: "Range",
      value: "1.2.0.0/16",
      ip: "1.2.3.4",
      range: "1.2.0.0/16",
    });
  });

  it("a custom scope takes its value from the expression", () => {
    const yaml = leakyYaml("scope:\n  type: username\n  expression: evt.Meta.user\n");
    const [alert] = run(
      yaml,
      attempts(
        6,
        (i) => T0 + i,
        () => ({ user: "bob" }),
      ),
    ).alerts;
    expect(alert?.source).toEqual({ scope: "username", value: "bob" });
  });

  it("lists every source of a bucket grouped by something else", () => {
    const yaml = leakyYaml().replace("groupby: evt.Meta.source_ip", "groupby: evt.Meta.user");
    const s = loadOne(yaml);
    const events = Array.from({ length: 6 }, (_, i) =>
      event(`10.0.0.${i % 2}`, T0 + i, { user: "bob" }),
    );
    const [alert] = pourAll((st, e) => pour(st, s, e, e.Time, "bob"), events).alerts;
    expect(alert?.sources?.map((x) => x.value)).toEqual(["10.0.0.0", "10.0.0.1"]);
    expect(alert?.message.startsWith("Ip 2 sources performed")).toBe(true);
  });

  it("makes no alert when an event has no valid source IP", () => {
    const events = [...attempts(5, (i) => T0 + i), event("not-an-ip", T0 + 5)];
    expect(run(leakyYaml().replace("groupby: evt.Meta.source_ip\n", ""), events).alerts).toEqual(
      [],
    );
  });
});

describe("labels", () => {
  it("remediation is false unless the label is the boolean true", () => {
    const off = leakyYaml().replace("remediation: true", "remediation: false");
    expect(
      run(
        off,
        attempts(6, (i) => T0 + i),
      ).alerts[0]?.remediation,
    ).toBe(false);
    expect(
      run(
        leakyYaml(),
        attempts(6, (i) => T0 + i),
      ).alerts[0]?.remediation,
    ).toBe(true);
  });

  it("are carried to the alert", () => {
    const yaml = leakyYaml("  service: ssh\n  confidence: 3\n");
    expect(
      run(
        yaml,
        attempts(6, (i) => T0 + i * SEC),
      ).alerts[0]?.labels,
    ).toEqual({
      remediation: true,
      service: "ssh",
      confidence: 3,
    });
  });
});
