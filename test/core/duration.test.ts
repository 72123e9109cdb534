import { describe, expect, it } from "vitest";
import {
  checkDuration,
  checkMs,
  DEFAULT_MAX_DECISION_MS,
  durationCeiling,
  formatDuration,
  MAX_GO_DURATION_MS,
  parseDuration,
} from "../../src/core/duration";

describe("durations", () => {
  it("parses Go durations to milliseconds", () => {
    expect(parseDuration("10s")).toBe(10_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("2d")).toBe(172_800_000);
    expect(parseDuration("0")).toBe(0);
  });
  it("rejects what is not a duration", () => {
    for (const bad of ["", "10", "ten seconds", "1x", "1h 30m"])
      expect(parseDuration(bad)).toBeUndefined();
  });
  it("formats like Go's time.Duration.String()", () => {
    expect(formatDuration(4 * 3_600_000)).toBe("4h0m0s");
    expect(formatDuration(3 * 3_600_000 + 59 * 60_000 + 12_000)).toBe("3h59m12s");
    expect(formatDuration(1500)).toBe("1.5s");
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(90_000)).toBe("1m30s");
  });
});

describe("the duration bound (issue 10, item 1)", () => {
  const bound = { maxMs: DEFAULT_MAX_DECISION_MS, setting: "MAX_DECISION_DURATION" };

  it("parses up to Go's longest duration and no further, as time.ParseDuration", () => {
    expect(parseDuration("2562047h47m16s")).toBe(9_223_372_036_000);
    expect(parseDuration("2562047h47m16.854s")).toBe(MAX_GO_DURATION_MS);
    expect(parseDuration("2562048h")).toBeUndefined();
    expect(parseDuration("99999999999h")).toBeUndefined();
    expect(parseDuration(`${"9".repeat(400)}h`)).toBeUndefined();
  });

  it("says which rule a duration breaks and how to fix it", () => {
    expect(checkDuration("4h", bound)).toEqual({ ok: true, ms: 4 * 3_600_000 });
    expect(checkDuration("8760h", bound)).toEqual({ ok: true, ms: DEFAULT_MAX_DECISION_MS });
    const cases: [string, string][] = [
      ["99999999999h", "Go's longest duration"],
      [`${"9".repeat(400)}h`, "Go's longest duration"],
      ["8761h", "ceiling of 8760h0m0s (MAX_DECISION_DURATION)"],
      ["0s", "not positive"],
      ["-4h", "not positive"],
      ["forever", "not a Go duration"],
    ];
    for (const [text, why] of cases) {
      const r = checkDuration(text, bound);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.message, text).toContain(why);
    }
    expect(checkMs(Number.NaN, "expires_at", bound).ok).toBe(false);
  });

  it("reads a ceiling setting, falling back to one year with a problem to log", () => {
    expect(durationCeiling(undefined, "X").bound.maxMs).toBe(DEFAULT_MAX_DECISION_MS);
    expect(durationCeiling("720h", "X").bound.maxMs).toBe(720 * 3_600_000);
    for (const bad of ["0s", "soon", "99999999999h"]) {
      const r = durationCeiling(bad, "X");
      expect(r.bound.maxMs).toBe(DEFAULT_MAX_DECISION_MS);
      expect(r.problem).toContain("X=");
    }
  });
});
