import { describe, expect, it } from "vitest";
import { DAY_MS, utcDay, WriteBudget } from "../../src/core/blocklist/index";

const DAY0 = Date.UTC(2026, 10, 27);

describe("KV write budget", () => {
  it("allows a burst at the start of a day, then the day's budget at an even pace", () => {
    const b = new WriteBudget(1000);
    expect(b.burst).toBe(50);
    expect(b.earliest(0, 2, DAY0)).toBe(DAY0);
    expect(b.earliest(48, 2, DAY0)).toBe(DAY0);
    // The 51st and 52nd writes wait until the allowance has grown by 2: 2/950 of a day.
    expect(b.earliest(50, 2, DAY0)).toBe(DAY0 + Math.ceil((2 / 950) * DAY_MS));
    // A quiet morning saves allowance: at noon, 525 writes are allowed; all 1,000 by midnight.
    expect(b.allowance(DAY0 + DAY_MS / 2)).toBe(525);
    expect(b.earliest(523, 2, DAY0 + DAY_MS / 2)).toBe(DAY0 + DAY_MS / 2);
    expect(b.allowance(DAY0 + DAY_MS - 1)).toBeCloseTo(1000, 0);
  });

  it("waits for the next UTC day once the day's budget is spent, and refuses what never fits", () => {
    const b = new WriteBudget(1000);
    const late = DAY0 + DAY_MS - 1000;
    expect(b.earliest(999, 2, late)).toBe(DAY0 + DAY_MS);
    expect(b.earliest(998, 1, late)).toBe(late);
    expect(b.earliest(0, 1001, DAY0)).toBe(Number.POSITIVE_INFINITY);
    expect(() => new WriteBudget(0)).toThrow(/positive integer/);
  });

  it("a writer that writes whenever allowed never passes the budget of a UTC day", () => {
    const b = new WriteBudget(1000);
    let now = DAY0 + 3_600_000;
    const perDay = new Map<number, number>();
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    while (now < DAY0 + 3 * DAY_MS) {
      const cost = 2 + Math.floor(rand() * 3);
      const spent = perDay.get(utcDay(now)) ?? 0;
      const at = b.earliest(spent, cost, now);
      expect(at).toBeGreaterThanOrEqual(now);
      const day = utcDay(at);
      const before = day === utcDay(now) ? spent : (perDay.get(day) ?? 0);
      expect(before + cost).toBeLessThanOrEqual(b.allowance(at) + 1e-9);
      perDay.set(day, before + cost);
      now = at + 1000;
    }
    for (const n of perDay.values()) expect(n).toBeLessThanOrEqual(1000);
    // A writer with work always pending spends nearly all of it.
    expect(perDay.get(utcDay(DAY0 + DAY_MS))).toBeGreaterThan(990);
  });
});
