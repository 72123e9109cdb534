import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type MultiOp, multiMatcher } from "../../../src/core/expr/multimatch";

// The multi-pattern matchers behind any(File(...), {X op #}) answer what testing every
// entry one by one would, whatever the characters (non-ASCII ones included).
describe("multiMatcher agrees with testing each pattern", () => {
  const unit = fc.constantFrom(..."abAB./%-", "é", "ſ", "\u212a", "😀");
  const word = fc.string({ unit, minLength: 1, maxLength: 5 });
  const naive: Record<MultiOp, (s: string, p: string) => boolean> = {
    "==": (s, p) => s === p,
    contains: (s, p) => s.includes(p),
    startsWith: (s, p) => s.startsWith(p),
    endsWith: (s, p) => s.endsWith(p),
  };

  it.each(["contains", "startsWith", "endsWith", "=="] as const)("%s", (op) => {
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 12 }),
        fc.string({ unit, maxLength: 12 }),
        (pats, s) => {
          expect(multiMatcher(op, pats)(s)).toBe(pats.some((p) => naive[op](s, p)));
        },
      ),
      { numRuns: 400 },
    );
  });
});
