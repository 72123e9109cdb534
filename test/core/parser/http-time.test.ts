import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { httpDate, layoutTime, parseStrTime } from "../../../src/core/parser/timestamp-http";

const NOW = Date.UTC(2026, 10, 27, 8, 30, 15, 250);
const opts = { now: NOW };

describe("dateparse-enrich layouts (Go time.Parse + MarshalText)", () => {
  it.each([
    ["08/Jun/2020:08:04:43 +0000", "2020-06-08T08:04:43Z", Date.UTC(2020, 5, 8, 8, 4, 43)],
    ["29/Jul/2023:10:26:06 -0700", "2023-07-29T10:26:06-07:00", Date.UTC(2023, 6, 29, 17, 26, 6)],
    ["17/oct/2023:05:57:49 +1100", "2023-10-17T05:57:49+11:00", Date.UTC(2023, 9, 16, 18, 57, 49)],
    ["2021/12/01 13:53:33", "2021-12-01T13:53:33Z", Date.UTC(2021, 11, 1, 13, 53, 33)],
    [
      "Thu Oct 13 12:24:49.880562 2022",
      "2022-10-13T12:24:49.880562Z",
      Date.UTC(2022, 9, 13, 12, 24, 49, 880),
    ],
    [
      "2021-12-08T14:02:43.587782192Z",
      "2021-12-08T14:02:43.587782192Z",
      Date.UTC(2021, 11, 8, 14, 2, 43, 587),
    ],
    ["2026-01-08T14:20:00.000000000Z", "2026-01-08T14:20:00Z", Date.UTC(2026, 0, 8, 14, 20)],
    ["2026-01-14T10:45:33+01:00", "2026-01-14T10:45:33+01:00", Date.UTC(2026, 0, 14, 9, 45, 33)],
    ["2024-02-29 23:59:59", "2024-02-29T23:59:59Z", Date.UTC(2024, 1, 29, 23, 59, 59)],
    ["1700000000", "2023-11-14T22:13:20Z", 1700000000000],
  ])("%s → %s", (text, marshaled, ms) => {
    expect(parseStrTime(text, opts)).toEqual({ ms, marshaled });
  });

  it("gives a yearless stamp the year of now, or the configured year", () => {
    expect(parseStrTime("Feb 12 14:10:21", opts)?.marshaled).toBe("2026-02-12T14:10:21Z");
    expect(parseStrTime("Feb 12 14:10:21", { now: NOW, year: 2024 })?.marshaled).toBe(
      "2024-02-12T14:10:21Z",
    );
  });

  it("reads offset-less stamps in the configured zone", () => {
    const t = parseStrTime("2021/12/01 13:53:33", { now: NOW, timezone: "Europe/Paris" });
    expect(t).toEqual({
      ms: Date.UTC(2021, 11, 1, 12, 53, 33),
      marshaled: "2021-12-01T13:53:33+01:00",
    });
    const summer = parseStrTime("2021/07/01 13:53:33", { now: NOW, timezone: "Europe/Paris" });
    expect(summer?.marshaled).toBe("2021-07-01T13:53:33+02:00");
    // a stamp with its own offset ignores the zone
    const own = parseStrTime("08/Jun/2020:08:04:43 +0000", { now: NOW, timezone: "Europe/Paris" });
    expect(own?.marshaled).toBe("2020-06-08T08:04:43Z");
  });

  it.each([
    "31/Feb/2026:14:10:38 +0000",
    "12/Feb/2026:24:00:00 +0000",
    "12/Feb/2026:14:10:60 +0000",
    "12/Feb/2026:14:10:21 +2500",
    "12/Febr/2026:14:10:21 +0000",
    "1/Feb/2026:14:10:21 +0000",
    "2021/13/01 13:53:33",
    "",
    "-5",
    "garbage",
  ])("does not parse %j", (text) => {
    expect(parseStrTime(text, opts)).toBeUndefined();
  });
});

describe("access-log stamp fast path", () => {
  const MONTHS = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp = fc
    .record({
      day: fc.integer({ min: 0, max: 32 }),
      month: fc.integer({ min: 0, max: 11 }),
      year: fc.integer({ min: 0, max: 9999 }),
      h: fc.integer({ min: 0, max: 25 }),
      m: fc.integer({ min: 0, max: 61 }),
      s: fc.integer({ min: 0, max: 61 }),
      sign: fc.constantFrom("+", "-"),
      oh: fc.integer({ min: 0, max: 25 }),
      om: fc.integer({ min: 0, max: 61 }),
      lower: fc.boolean(),
    })
    .map((r) => {
      const mon = MONTHS[r.month] as string;
      return `${two(r.day)}/${r.lower ? mon.toLowerCase() : mon}/${String(r.year).padStart(4, "0")}:${two(r.h)}:${two(r.m)}:${two(r.s)} ${r.sign}${two(r.oh)}${two(r.om)}`;
    });

  it("agrees with the general Go-layout parser on every 26-character stamp", () => {
    fc.assert(
      fc.property(stamp, (text) => {
        const fast = httpDate(text);
        if (fast) expect(fast).toEqual(layoutTime(text, opts));
        else if (!text.includes("/0000:")) expect(layoutTime(text, opts)).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });
});
