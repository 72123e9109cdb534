import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileRegex, type SafeRegex, toNativeRegExp } from "../../src/core/regex";

function compile(pattern: string, engine: "auto" | "re2" = "auto"): SafeRegex {
  const r = compileRegex(pattern, { engine });
  if (!r.ok) throw new Error(`${pattern}: ${r.errors[0]?.message}`);
  return r.value;
}

describe("compileRegex", () => {
  it("reports RE2 syntax errors as diagnostics naming the pattern", () => {
    const r = compileRegex("a(b", { path: "p.yaml#0:pattern" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]?.code).toBe("regex.syntax");
    expect(r.errors[0]?.path).toBe("p.yaml#0:pattern");
    expect(r.errors[0]?.message).toContain('invalid regular expression "a(b"');
    // Backreferences and lookaround are not RE2.
    expect(compileRegex("(a)\\1").ok).toBe(false);
    expect(compileRegex("a(?=b)").ok).toBe(false);
  });

  it("returns named groups of the first match", () => {
    for (const engine of ["auto", "re2"] as const) {
      const re = compile("^(?P<verb>[A-Z]+) (?P<path>[^ ]+)(?: (?P<proto>HTTP/[0-9.]+))?", engine);
      expect(re.match("GET /x HTTP/1.1")).toEqual({ verb: "GET", path: "/x", proto: "HTTP/1.1" });
      expect(re.match("GET /x")).toEqual({ verb: "GET", path: "/x", proto: "" });
      expect(re.match("get /x")).toBeNull();
    }
  });
});

describe("native fast path: only for patterns proven linear", () => {
  const native = [
    "\\bAcunetix\\b",
    "(?i)sqlmap",
    "^[0-9]+$",
    "^/wp-admin/.*\\.php",
    "/etc/passwd",
    "(?i)^(?:GET|POST) /index\\.php",
    "\\.(?:php|asp)x?$",
    "^(?P<verb>GET|POST) (?P<path>[^ ]+)",
    "login=.*",
    "[[:alpha:]_][[:alnum:]]{0,3}",
    "\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}",
  ];
  const linear = [
    "(a+)+$",
    "^(a|aa)+$",
    "(x+x+)+y",
    "(a|b)*c",
    "a.*b.*c",
    "\\d+$",
    "[^/]+/x",
    "(?m)^x",
    "(?i)\\bfoo\\b",
    "\\pL+",
    "(?i:a)b",
    "\\Qa.b\\E",
    "\\d{1,300}x",
    "^(?P<verb>[A-Z]+) (?P<path>[^ ]+)",
  ];
  it.each(native)("runs %s natively", (p) => {
    expect(compile(p).engine).toBe("native");
  });
  it.each(linear)("keeps %s on RE2", (p) => {
    expect(toNativeRegExp(p)).toBeNull();
    expect(compile(p).engine).toBe("re2");
  });
});

describe("catastrophic patterns on hostile 100 kB input (the test timeout is the only clock)", () => {
  const hostile: [string, string, boolean][] = [
    ["(a+)+$", `${"a".repeat(100_000)}!`, false],
    ["^(a|aa)+$", `${"a".repeat(100_000)}b`, false],
    ["(x+x+)+y", "x".repeat(100_000), false],
    ["(.*a){12}", "a".repeat(100_000), true],
    ["^(\\w+\\s?)*$", `${"word ".repeat(20_000)}!`, false],
    ["a.*b.*c.*d", "abc".repeat(33_000), false],
  ];
  it.each(hostile)("%s answers correctly without backtracking", (pattern, input, want) => {
    const re = compile(pattern);
    expect(re.engine).toBe("re2");
    expect(re.test(input)).toBe(want);
    expect(re.match(input) !== null).toBe(want);
  });

  it("a natively run pattern stays fast on the same inputs", () => {
    const re = compile("^a.*!$");
    expect(re.engine).toBe("native");
    expect(re.test(`${"a".repeat(100_000)}!`)).toBe(true);
    expect(re.test("a".repeat(100_000))).toBe(false);
    const trailing = compile("b[^x]*");
    expect(trailing.engine).toBe("native");
    expect(trailing.test("b".repeat(100_000))).toBe(true);
  });
});

describe("both engines give RE2's answers", () => {
  const cases: [string, string[]][] = [
    [".", ["\n", "\r", "\u2028", "x", "😀"]],
    ["^.$", ["\r", "\u2028", "😀", "ab"]],
    ["(?s)^.$", ["\n", "\r"]],
    ["\\s", ["\v", "\u00a0", "\u2003", " ", "\t"]],
    ["^\\S+$", ["a\u00a0b", "ab", "a\vb"]],
    ["a$", ["a\n", "a"]],
    ["(?i)k", ["K", "\u212a", "k"]],
    ["(?i)[a-z]+$", ["ſ", "ABC", "\u212a"]],
    ["\\w+", ["é", "_a1", "-"]],
    ["\\bfoo\\b", ["a foo b", "afoo", "foo_"]],
    ["[[:punct:]]", ["!", "a", "~", "é"]],
    ["[[:space:]]x", ["\vx", " x", "ax"]],
    ["\\x{41}\\x42", ["AB", "ab"]],
    ["[\\d-]+$", ["1-2", "a-"]],
    ["[]a]", ["]", "a", "b"]],
    ["[^]a]", ["]", "b"]],
    ["a{2}b{1,}c{0,2}", ["aabcc", "abc", "aabbbccc"]],
    ["a{,2}", ["a{,2}", "aa"]],
    ["x*?y", ["xxy", "y", "x"]],
    ["\\A/x\\z", ["/x", "/x\n"]],
    ["(?P<a>a)|(?P<b>b)", ["b", "a", "c"]],
    ["\\.php\\?id=[0-9]+", ["/x.php?id=42", "/x.phpid=4"]],
    [
      "(?i)(/wp-.*\\.php|/wp-content/plugins/.*\\.(txt|md))$",
      ["/WP-LOGIN.PHP", "/wp-content/plugins/x/readme.txt"],
    ],
  ];
  it.each(cases)("%s", (pattern, inputs) => {
    const auto = compile(pattern);
    const re2 = compile(pattern, "re2");
    for (const s of inputs) {
      expect(auto.test(s), `${pattern} test ${JSON.stringify(s)}`).toBe(re2.test(s));
      expect(auto.match(s), `${pattern} match ${JSON.stringify(s)}`).toEqual(re2.match(s));
    }
  });

  it("agree on random patterns and inputs (property)", () => {
    const atoms = [
      "a",
      "b",
      "K",
      ".",
      "\\d",
      "\\w",
      "\\s",
      "\\S",
      "[ab]",
      "[^a]",
      "[a-c]",
      "\\b",
      "(?:a|bb)",
      "(?P<g>ab)",
      "(a)?",
      "[[:upper:]]",
      "\\.",
      "\\-",
    ];
    const quants = ["", "", "", "*", "+", "?", "{1,2}", "*?"];
    const piece = fc
      .tuple(fc.constantFrom(...atoms), fc.constantFrom(...quants))
      .map(([a, q]) => (a === "\\b" ? a : a + q));
    const pattern = fc
      .tuple(
        fc.boolean(),
        fc.boolean(),
        fc.array(piece, { minLength: 1, maxLength: 5 }),
        fc.boolean(),
      )
      .map(
        ([ci, anchor, ps, end]) =>
          `${ci ? "(?i)" : ""}${anchor ? "^" : ""}${ps.join("")}${end ? "$" : ""}`,
      );
    const input = fc
      .array(
        fc.constantFrom(
          "a",
          "A",
          "b",
          "B",
          "k",
          "K",
          "\u212a",
          "1",
          " ",
          "\n",
          "\r",
          "\u00a0",
          "_",
          "-",
          ".",
          "é",
          "ſ",
        ),
        { maxLength: 10 },
      )
      .map((cs) => cs.join(""));
    let nativeRuns = 0;
    fc.assert(
      fc.property(pattern, fc.array(input, { minLength: 1, maxLength: 6 }), (p, inputs) => {
        const auto = compileRegex(p);
        const re2 = compileRegex(p, { engine: "re2" });
        expect(auto.ok).toBe(re2.ok);
        if (!auto.ok || !re2.ok) return;
        if (auto.value.engine === "native") nativeRuns++;
        for (const s of inputs) {
          expect(auto.value.test(s), `${p} on ${JSON.stringify(s)}`).toBe(re2.value.test(s));
          expect(auto.value.match(s), `${p} on ${JSON.stringify(s)}`).toEqual(re2.value.match(s));
        }
      }),
      { numRuns: 600, seed: 20240106 },
    );
    expect(nativeRuns).toBeGreaterThan(100);
  });
});
