import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCompactDuration, goDurationSchema } from "../../src/contract/duration";
import { replayLineSchema, toReplayLine } from "../../src/contract/replay";
import type { Alert } from "../../src/core/alert";
import type { Decision } from "../../src/core/decision";
import { parseDuration } from "../../src/core/duration";
import type { DecisionResult } from "../../src/core/profile/index";

const H = 3_600_000;
const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);

const alert: Alert = {
  scenario: "crowdsecurity/http-probing",
  message: "",
  source: { scope: "Ip", value: "1.2.3.4", ip: "1.2.3.4" },
  events_count: 6,
  start_at: T0,
  stop_at: T0 + 12_500,
  capacity: 5,
  leakspeed: 10_000,
  labels: {},
  remediation: true,
  events: [],
};

const banned: DecisionResult = {
  decisions: [
    {
      type: "ban",
      scope: "Ip",
      value: "1.2.3.4",
      duration: 4 * H,
      origin: "palisade",
      scenario: alert.scenario,
      start: T0,
      until: T0 + 4 * H,
    },
  ],
  allowlisted: false,
  profile: "palisade/default",
  matched: ["palisade/default"],
  warnings: [],
  debug: [],
};

describe("compact Go durations", () => {
  it("leaves out zero units", () => {
    expect(formatCompactDuration(4 * H)).toBe("4h");
    expect(formatCompactDuration(90 * 60_000)).toBe("1h30m");
    expect(formatCompactDuration(90_000)).toBe("1m30s");
    expect(formatCompactDuration(H + 5_000)).toBe("1h5s");
    expect(formatCompactDuration(1500)).toBe("1.5s");
    expect(formatCompactDuration(500)).toBe("500ms");
    expect(formatCompactDuration(0)).toBe("0s");
    expect(formatCompactDuration(-2 * H)).toBe("-2h");
    expect(formatCompactDuration(720 * H)).toBe("720h");
  });
  it("reads back to the same milliseconds, and is a valid Go duration", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(10 ** 12), max: 10 ** 12 }), (ms) => {
        const text = formatCompactDuration(ms);
        expect(parseDuration(text)).toBe(ms);
        expect(goDurationSchema.safeParse(text).success).toBe(true);
      }),
    );
  });
  it("rejects what Go's time.ParseDuration rejects", () => {
    for (const bad of ["4", "2d", "4 hours", "h", "", "1h 30m"]) {
      expect(goDurationSchema.safeParse(bad).success, bad).toBe(false);
    }
    for (const good of ["0", "4h", "3h59m12.345s", "-1h2m", "1.5s", "300ms", "10us", "10µs"]) {
      expect(goDurationSchema.safeParse(good).success, good).toBe(true);
    }
  });
});

describe("replay line", () => {
  it("is DESIGN.md's shape, in its key order", () => {
    const line = toReplayLine(alert, banned);
    expect(JSON.stringify(line)).toBe(
      '{"scenario":"crowdsecurity/http-probing","source_ip":"1.2.3.4","events_count":6,' +
        '"start_at":"2024-05-01T10:00:00.000Z","stop_at":"2024-05-01T10:00:12.500Z",' +
        '"decisions":[{"type":"ban","scope":"Ip","value":"1.2.3.4","duration":"4h"}]}',
    );
  });
  it("round-trips through JSON and the schema", () => {
    const line = toReplayLine(alert, banned);
    expect(replayLineSchema.parse(JSON.parse(JSON.stringify(line)))).toEqual(line);
  });
  it("marks allowlisted alerts and gives them no decisions", () => {
    const allowed: DecisionResult = {
      decisions: [],
      allowlisted: true,
      allowlistedBy: { reason: "office", match: "1.2.3.0/24", path: "a.yaml#0" },
      matched: [],
      warnings: [],
      debug: [],
    };
    const line = toReplayLine(alert, allowed);
    expect(line).toMatchObject({ allowlisted: true, decisions: [] });
    expect(replayLineSchema.parse(JSON.parse(JSON.stringify(line)))).toEqual(line);
    expect("allowlisted" in toReplayLine(alert, banned)).toBe(false);
  });
  it("writes the decision's value for ranges and the source value for non-IP scopes", () => {
    const base = banned.decisions[0] as Decision;
    const v6: DecisionResult = {
      ...banned,
      decisions: [{ ...base, scope: "Range", value: "2001:db8::/64", duration: 90 * 60_000 }],
    };
    const a6: Alert = {
      ...alert,
      source: { scope: "Ip", value: "2001:db8::1", ip: "2001:db8::1" },
    };
    expect(toReplayLine(a6, v6)).toMatchObject({
      source_ip: "2001:db8::1",
      decisions: [{ scope: "Range", value: "2001:db8::/64", duration: "1h30m" }],
    });
    const mapped: Alert = {
      ...alert,
      source: { scope: "Ip", value: "::ffff:1.2.3.4", ip: "::ffff:1.2.3.4" },
    };
    expect(toReplayLine(mapped, banned).source_ip).toBe("1.2.3.4");
    const user: Alert = { ...alert, source: { scope: "username", value: "admin" } };
    expect(toReplayLine(user, { ...banned, decisions: [] }).source_ip).toBe("admin");
  });
  it("the schema rejects what breaks the contract and ignores added fields", () => {
    const good = toReplayLine(alert, banned);
    const bad = [
      { ...good, allowlisted: true },
      { ...good, decisions: [{ type: "ban", scope: "Ip", value: "1.2.3.4", duration: "4 hours" }] },
      { ...good, start_at: "yesterday" },
      { ...good, events_count: -1 },
      { ...good, scenario: undefined },
      { ...good, allowlisted: false },
    ];
    for (const b of bad)
      expect(replayLineSchema.safeParse(b).success, JSON.stringify(b)).toBe(false);
    expect(replayLineSchema.parse({ ...good, future_field: 1 })).toEqual(good);
    expect(
      replayLineSchema.safeParse({ ...good, start_at: "2024-05-01T12:00:00+02:00" }).success,
    ).toBe(true);
  });
});
