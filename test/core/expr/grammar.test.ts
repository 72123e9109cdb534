import { describe, expect, it } from "vitest";
import { compileError, ev } from "./support";

describe("expr grammar: literals", () => {
  it("reads ints in every base, floats and underscores", () => {
    expect(ev("42")).toBe(42);
    expect(ev("0x1F + 0o17 + 0b101")).toBe(31 + 15 + 5);
    expect(ev("1_000_000")).toBe(1_000_000);
    expect(ev("2.5e3")).toBe(2500);
    expect(ev("0.5")).toBe(0.5);
  });

  it("reads strings with Go escapes, in either quote, and raw backtick strings", () => {
    expect(ev(`'it\\'s'`)).toBe("it's");
    expect(ev(`"tab\\there"`)).toBe("tab\there");
    expect(ev(`"\\x41\\u00e9\\U0001F600\\101"`)).toBe("Aé😀A");
    expect(ev("`C:\\no\\escapes`")).toBe("C:\\no\\escapes");
    expect(ev(`'\\\\d+'`)).toBe("\\d+");
  });

  it("reads true, false, nil, arrays (trailing comma) and maps", () => {
    expect(ev("[true, false, nil,]")).toEqual([true, false, null]);
    expect(ev("{a: 1, 'b c': 2, 3: 'x'}")).toEqual({ a: 1, "b c": 2, "3": "x" });
  });

  it("skips comments", () => {
    expect(ev("1 /* one */ + // the rest\n 2")).toBe(3);
  });
});

describe("expr grammar: precedence as in expr-lang", () => {
  const cases: [string, unknown][] = [
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["2 ** 3 ** 2", 512],
    ["-2 ** 2", -4],
    ["10 - 4 - 3", 3],
    ["7 % 4 * 2", 6],
    ["1 + 2 == 3 && 2 < 3", true],
    ["true || false && false", true],
    ["(true || false) && false", false],
    // expr binds `not` tighter than comparisons: (not true) == false.
    ["not true == false", true],
    ["!false and true", true],
    ["1..3 == [1, 2, 3]", true],
    ["nil ?? 1 + 1", 2],
    ["1 < 2 ? 'a' : 'b'", "a"],
    ["false ? 1 : true ? 2 : 3", 2],
    ["'a' + 'b' in ['ab']", true],
  ];
  it.each(cases)("%s", (src, want) => {
    expect(ev(src)).toEqual(want);
  });
});

describe("expr grammar: members, indexes, slices, calls", () => {
  const env = { m: { a: { b: [10, 20, 30] }, "x-y": 5 }, s: "abcdef" };
  it("reads members by dot and by brackets, with negative indexes", () => {
    expect(ev("m.a.b[0]", env)).toBe(10);
    expect(ev("m['x-y']", env)).toBe(5);
    expect(ev("m.a.b[-1]", env)).toBe(30);
    expect(ev("s[1]", env)).toBe("b");
  });

  it("slices arrays and strings, clamping like expr", () => {
    expect(ev("m.a.b[1:]", env)).toEqual([20, 30]);
    expect(ev("m.a.b[:2]", env)).toEqual([10, 20]);
    expect(ev("m.a.b[-2:]", env)).toEqual([20, 30]);
    expect(ev("s[1:3]", env)).toBe("bc");
    expect(ev("s[-4:]", env)).toBe("cdef");
    expect(ev("s[4:100]", env)).toBe("ef");
    expect(ev("s[5:2]", env)).toBe("");
  });

  it("accepts operator words as field names after a dot", () => {
    expect(ev("x.in + x.not", { x: { in: 1, not: 2 } })).toBe(3);
  });

  it("parses let bindings, sequences and if/else", () => {
    expect(ev("let x = 2; let y = x * 3; x + y")).toBe(8);
    expect(ev("(let u = 'ab'; u + u) + '!'")).toBe("abab!");
    expect(ev("if 1 > 2 { 'a' } else if 2 > 1 { 'b' } else { 'c' }")).toBe("b");
    expect(ev("if false { 1 }")).toBeNull();
  });

  it("parses predicates with braces, bare predicates and the .Field shorthand", () => {
    const q = {
      Queue: [
        { Meta: { t: "a" }, Time: 1 },
        { Meta: { t: "b" }, Time: 5 },
      ],
    };
    expect(ev("filter(q.Queue, {#.Meta.t == 'b'})", { q })).toEqual([q.Queue[1]]);
    expect(ev("count(q.Queue, #.Time > 0)", { q })).toBe(2);
    expect(ev("map(q.Queue, .Time)", { q })).toEqual([1, 5]);
    expect(ev("map(q.Queue, {.Meta.t})", { q })).toEqual(["a", "b"]);
  });

  it("parses pipes into calls", () => {
    expect(ev("[1, 2, 3] | filter(# > 1) | map(# * 10)")).toEqual([20, 30]);
    expect(ev("'Abc' | lower()")).toBe("abc");
  });

  it("parses negated operators", () => {
    expect(ev("'b' not in ['a']")).toBe(true);
    expect(ev("'abc' not contains 'x'")).toBe(true);
    expect(ev("'abc' not startsWith 'a'")).toBe(false);
    expect(ev("'abc' not endsWith 'bc'")).toBe(false);
    expect(ev("'abc' not matches '^x'")).toBe(true);
  });
});

describe("expr syntax errors", () => {
  it("name the column (1-based) with a caret excerpt and what was expected", () => {
    const e = compileError("evt.Meta.x == ", { path: "ssh-bf.yaml#0:filter" });
    expect(e.code).toBe("expr.syntax");
    expect(e.path).toBe("ssh-bf.yaml#0:filter");
    expect(e.message).toContain("expected a value but found the end of the expression");
    expect(e.message).toContain("column 15");
    expect(e.message).toContain("\n  evt.Meta.x == \n                ^");
  });

  it("point at the unclosed bracket", () => {
    const e = compileError("any(x, {# > 1)");
    expect(e.message).toContain('expected "}" to close the predicate "{" at column 8');
    expect(e.message).toContain('but found ")"');
  });

  it("give line and column in multi-line expressions", () => {
    const e = compileError("a &&\n  (b ||");
    expect(e.message).toContain("line 2, column 8");
    expect(e.message).toContain("\n    (b ||\n         ^");
  });

  it("reject unknown escapes, bad numbers, stray characters and unterminated strings", () => {
    expect(compileError(`'\\d+'`).message).toContain('invalid escape "\\d"');
    expect(compileError("12abc").message).toContain("invalid number literal");
    expect(compileError("1 @ 2").message).toContain('unexpected character "@"');
    expect(compileError("'abc").message).toContain("unterminated string");
  });

  it("reject `not` before anything but a negatable operator", () => {
    expect(compileError("a not b").message).toContain('expected "in", "matches"');
  });

  it("reject # and .Field outside predicates", () => {
    expect(compileError("# > 1").message).toContain("only valid inside a predicate");
    expect(compileError(".Meta").message).toContain("only valid inside a predicate");
  });

  it("bound nesting depth instead of overflowing the stack", () => {
    const deep = `${"(".repeat(5000)}1${")".repeat(5000)}`;
    expect(compileError(deep).message).toContain("nested deeper than");
  });
});
