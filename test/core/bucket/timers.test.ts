import { describe, expect, it } from "vitest";
import { DeadlineHeap } from "../../../src/core/bucket/timers";

describe("DeadlineHeap", () => {
  it("pops deadlines soonest first whatever the push order", () => {
    const heap = new DeadlineHeap();
    const ats = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    for (const at of ats) heap.push({ at, scenario: 0, key: String(at), first: 0 });
    expect(heap.size).toBe(500);
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop()?.at ?? -1);
    expect(popped).toEqual([...ats].sort((a, b) => a - b));
    expect(heap.next()).toBe(Number.POSITIVE_INFINITY);
    expect(heap.pop()).toBeUndefined();
  });
});
