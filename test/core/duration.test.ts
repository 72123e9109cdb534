import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/core/duration";

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
