import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LiteralDfa } from "../../../src/core/bucket/guard/literal-dfa";
import { StringMemo } from "../../../src/core/bucket/guard/string-memo";

function found(dfa: LiteralDfa, s: string): { ids: Set<number>; wide: boolean } {
  const ids = new Set<number>();
  const wide = dfa.scan(s, (hit) => {
    for (const id of hit) ids.add(id);
  });
  return { ids, wide };
}

describe("LiteralDfa: every literal a string contains, in one pass", () => {
  it("finds overlapping and nested literals, ignoring ASCII case", () => {
    const dfa = new LiteralDfa([
      { literal: "../", ids: [0] },
      { literal: "/etc/passwd", ids: [1] },
      { literal: "etc", ids: [2] },
      { literal: "passwd", ids: [3, 4] },
    ]);
    expect([...found(dfa, "/A/../ETC/PassWD").ids].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(found(dfa, "/index.php").ids.size).toBe(0);
  });

  it("says when it met a non-ASCII character", () => {
    const dfa = new LiteralDfa([{ literal: "user", ids: [0] }]);
    expect(found(dfa, "uſer")).toEqual({ ids: new Set(), wide: true });
    expect(found(dfa, "useré")).toEqual({ ids: new Set([0]), wide: true });
    expect(found(dfa, "user").wide).toBe(false);
  });

  it("refuses literals it could not match as given", () => {
    expect(() => new LiteralDfa([{ literal: "Upper", ids: [0] }])).toThrow(/lower-case ASCII/);
    expect(() => new LiteralDfa([{ literal: "", ids: [0] }])).toThrow(/lower-case ASCII/);
    expect(() => new LiteralDfa([{ literal: "é", ids: [0] }])).toThrow(/lower-case ASCII/);
  });

  it("agrees with a naive search on random literal sets and strings", () => {
    const alphabet = fc.constantFrom(..."abAB./%-");
    const word = fc.string({ unit: alphabet, minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(fc.uniqueArray(word.map((w) => w.toLowerCase())), word, (lits, s) => {
        if (lits.length === 0) return;
        const dfa = new LiteralDfa(lits.map((literal, i) => ({ literal, ids: [i] })));
        const expected = lits.flatMap((l, i) => (s.toLowerCase().includes(l) ? [i] : []));
        expect([...found(dfa, s).ids].sort((a, b) => a - b)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe("StringMemo", () => {
  it("answers only for an equal string, whatever the object", () => {
    const memo = new StringMemo<number>(4);
    const key = "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0";
    const slot = memo.claim(key, 1);
    expect(memo.find(`${key.slice(0, 10)}${key.slice(10)}`)).toBe(slot);
    expect(memo.valueAt(slot)).toBe(1);
    expect(memo.find(key.replace("120", "121"))).toBe(-1);
    expect(memo.find("other")).toBe(-1);
  });

  it("a colliding string replaces the entry: a miss, never a wrong value", () => {
    const memo = new StringMemo<string>(1);
    const keys = Array.from({ length: 50 }, (_, i) => `/path/${i}`);
    for (const k of keys) memo.claim(k, k);
    for (const k of keys) {
      const slot = memo.find(k);
      expect(slot === -1 || memo.valueAt(slot) === k).toBe(true);
    }
  });
});
