import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { patternLiterals } from "../../../src/core/expr/guard/regex-literal";
import { compileRegex } from "../../../src/core/regex";

describe("patternLiterals: what an RE2 pattern cannot match without", () => {
  it.each([
    ["^http[s]?://", ["http"]],
    ["/TMUI/LOGIN.JSP/..;/TMUI/[^.]+.JSP\\?(FILENAME|COMMAND)=", ["/TMUI/LOGIN"]],
    ["\\b\\b404enemy\\b\\b", ["404enemy"]],
    ["\\bWeb\\ Auto\\b", ["Web Auto"]],
    ["login=.*[$|%24][\\(|%28].*[\\)|%29]", ["login="]],
    ["a|bc", ["a", "bc"]],
    ["ab?cd", ["cd"]],
    ["ab+cd", ["ab"]],
    ["ab{0,3}cd", ["cd"]],
    ["a{2}bcd", ["bcd"]],
    ["<\\?PHP", ["<?PHP"]],
    ["x\\x41yz", ["yz"]],
    ["\\101bc", ["bc"]],
    ["\\p{Greek}abc", ["abc"]],
    ["é+abc", ["abc"]],
  ])("%s → %j", (pattern, literals) => {
    expect(patternLiterals(pattern)?.literals).toEqual(literals);
  });

  it("reports flags, which allow other cases (even non-ASCII ones) to match", () => {
    expect(patternLiterals("(?i)abc")).toEqual({ literals: ["abc"], flags: true });
    expect(patternLiterals("abc")?.flags).toBe(false);
  });

  it.each(["foo|", "", "(abc)", "[abc]+", ".*", "abc\\Qdef\\E", "a*|b"])(
    "%j has no literal every match needs",
    (pattern) => {
      expect(patternLiterals(pattern)).toBeNull();
    },
  );
});

/** A regex piece and a string it matches, built together. */
interface Piece {
  re: string;
  sample: string;
}

const META = new Set([..."\\^$.|?*+()[]{}"]);
const char = fc.constantFrom(..."abcXYZ019/.-?*+()[]{}|^$\\ %é");
const literal: fc.Arbitrary<Piece> = char.map((c) => ({
  re: META.has(c) ? `\\${c}` : c,
  sample: c,
}));
const klass: fc.Arbitrary<Piece> = fc
  .constantFrom("[abc]", "[^x]", "[.]", "\\d", "\\w", ".")
  .map((re) => ({
    re,
    sample: re === "\\d" ? "7" : re === "[^x]" ? "q" : re === "[.]" ? "." : "a",
  }));
const atom = fc.oneof({ weight: 4, arbitrary: literal }, { weight: 1, arbitrary: klass });
const quantified: fc.Arbitrary<Piece> = fc
  .tuple(atom, fc.constantFrom("", "", "?", "*", "+", "{2}", "{0,2}"), fc.nat(2))
  .map(([a, q, n]) => {
    if (q === "") return a;
    const times = q === "+" ? 1 + n : q === "{2}" ? 2 : q === "?" ? n % 2 : n;
    return { re: `${a.re}${q}`, sample: a.sample.repeat(times) };
  });
const group: fc.Arbitrary<Piece> = fc
  .tuple(
    fc.array(quantified, { minLength: 1, maxLength: 3 }),
    fc.array(quantified, { maxLength: 3 }),
  )
  .map(([l, r]) => ({
    re: `(${l.map((p) => p.re).join("")}|${r.map((p) => p.re).join("")})`,
    sample: l.map((p) => p.sample).join(""),
  }));
const branch = fc
  .array(fc.oneof({ weight: 5, arbitrary: quantified }, { weight: 1, arbitrary: group }), {
    maxLength: 8,
  })
  .map((ps) => ({ re: ps.map((p) => p.re).join(""), sample: ps.map((p) => p.sample).join("") }));
const pattern = fc
  .tuple(fc.array(branch, { minLength: 1, maxLength: 3 }), fc.nat(2), fc.boolean())
  .map(([bs, pick, icase]) => {
    const chosen = bs[pick % bs.length] as Piece;
    const re = bs.map((b) => b.re).join("|");
    return {
      re: icase ? `(?i)${re}` : re,
      sample: icase ? chosen.sample.toUpperCase() : chosen.sample,
    };
  });

describe("patternLiterals never asks for more than a match has", () => {
  it("a string the pattern matches contains one of its literals (ASCII case aside)", () => {
    fc.assert(
      fc.property(pattern, fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), (p, a, b) => {
        const re = compileRegex(p.re);
        if (!re.ok) return;
        const subject = `${a}${p.sample}${b}`;
        // The generator builds samples that match; anything else is a generator bug.
        expect(re.value.test(subject)).toBe(true);
        const found = patternLiterals(p.re);
        if (!found) return;
        const hay = subject.toLowerCase();
        expect(found.literals.some((l) => hay.includes(l.toLowerCase()))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
