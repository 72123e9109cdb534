import { describe, expect, it } from "vitest";
import { compileExpr, ExprEvalError } from "../../../src/core/expr";
import { compiled, compileError, ev, evalBool, evalString, httpEvent } from "./support";

function evalError(src: string, env: Record<string, unknown> = {}): ExprEvalError {
  try {
    compiled(src).run(env);
  } catch (e) {
    if (e instanceof ExprEvalError) return e;
    throw e;
  }
  throw new Error(`expected ${src} to fail`);
}

describe("operators", () => {
  it("compares like expr: numbers across int/float, strings, nil only with nil", () => {
    expect(ev("1 == 1.0")).toBe(true);
    expect(ev("'404' == 404")).toBe(false);
    expect(ev("nil == nil")).toBe(true);
    expect(ev("nil == ''")).toBe(false);
    expect(ev("[1, 'a'] == [1, 'a']")).toBe(true);
    expect(ev("{a: [1]} == {a: [1]}")).toBe(true);
    expect(ev("'b' > 'a' && 2 >= 2 && 1 <= 1.5 && 'A' < 'a'")).toBe(true);
    expect(evalError("x < 'a'", { x: 1 }).message).toContain("invalid operation: int < string");
    // With constant operands the same failure is a compile error: it would fail on every input.
    expect(compileError("1 < 'a'").code).toBe("expr.invalid");
  });

  it("does arithmetic; / is float division, % needs ints, + concatenates strings", () => {
    expect(ev("7 / 2")).toBe(3.5);
    expect(ev("7 % 3")).toBe(1);
    expect(ev("-7 % 3")).toBe(-1);
    expect(ev("2 ** 10")).toBe(1024);
    expect(ev("2 ^ 3")).toBe(8);
    expect(ev("'a' + 'b'")).toBe("ab");
    expect(evalError("x % 0", { x: 5 }).message).toContain("integer divide by zero");
    expect(evalError("'a' + x", { x: 1 }).message).toContain("invalid operation: string + int");
    expect(evalError("-x", { x: "a" }).message).toContain("invalid operation: -string");
  });

  it("short-circuits && / || and requires bool operands on the left", () => {
    expect(ev("false && x.y.z", { x: null })).toBe(false);
    expect(ev("true || x.y.z", { x: null })).toBe(true);
    expect(ev("true && 'x'")).toBe("x");
    expect(evalError("x && true", { x: "yes" }).message).toContain('"&&" needs bool operands');
    expect(evalError("not x", { x: 1 }).message).toContain('"not" needs a bool');
  });

  it("tests membership in arrays (by value) and maps (by key); nil containers hold nothing", () => {
    expect(ev("2 in [1, 2.0]")).toBe(true);
    expect(ev("x in ['a', nil]", { x: null })).toBe(true);
    expect(ev("'k' in m", { m: { k: 0 } })).toBe(true);
    expect(ev("'toString' in m", { m: {} })).toBe(false);
    expect(ev("'a' in nil")).toBe(false);
    expect(ev("[1] in [[1], [2]]")).toBe(true);
    expect(evalError("'a' in s", { s: "abc" }).message).toContain(
      'operator "in" not defined on string',
    );
  });

  it("applies string operators to strings only", () => {
    expect(
      ev("'/wp-admin/x' startsWith '/wp-' && 'a.php' endsWith '.php' && 'abc' contains 'b'"),
    ).toBe(true);
    expect(evalError("x contains 'a'", { x: null }).message).toContain(
      "both sides must be strings",
    );
    expect(evalError("x matches 'a'", { x: 3 }).message).toContain(
      "the left side must be a string",
    );
  });

  it("builds inclusive int ranges and coalesces nil with ??", () => {
    expect(ev("3..1")).toEqual([]);
    expect(ev("x ?? 'd'", { x: null })).toBe("d");
    expect(ev("x ?? 'd'", { x: "" })).toBe("");
    expect(evalError("1..x", { x: 2.5 }).message).toContain("both ends must be ints");
  });

  it("evaluates conditionals only on bool conditions", () => {
    expect(evalError("x ? 1 : 2", { x: "s" }).message).toContain("a condition needs a bool");
  });
});

describe("names and compile-time checks", () => {
  it("restricts variables to `names` when given", () => {
    const e = compileError("evt.Meta.x == '' && queue", { names: ["evt"] });
    expect(e.code).toBe("expr.unknown-name");
    expect(e.message).toContain('unknown name "queue"');
    expect(e.message).toContain("column 21");
    expect(ev("leaky", { leaky: 1 })).toBe(1);
  });

  it("reports unknown functions with a case hint, wrong arity, and unsupported helpers", () => {
    const unknown = compileError("upper2('x')");
    expect(unknown.code).toBe("expr.unknown-function");
    expect(compileError("upPer('x')").message).toContain("did you mean upper() or Upper()");
    const arity = compileError("evt.Meta.x == Upper('a', 'b')");
    expect(arity.code).toBe("expr.arity");
    expect(arity.message).toContain("Upper() takes 1 argument, got 2 at column 15");
    const stash = compileError("GetFromStash('c', 'k')");
    expect(stash.code).toBe("expr.unsupported-function");
    expect(compileError("now()").message).toContain("no wall clock");
    expect(compileError("any([1])").code).toBe("expr.arity");
  });

  it("reports constant failures and bad literal regexes at compile time", () => {
    expect(compileError("duration('ten minutes')").code).toBe("expr.invalid");
    const re = compileError("x matches 'a(b'");
    expect(re.code).toBe("expr.regex");
    expect(re.message).toContain("column 11");
  });

  it("collects several errors at once", () => {
    const r = compileExpr("Foo(1) && Bar(2) && Upper()");
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors.map((e) => e.code)).toEqual([
        "expr.unknown-function",
        "expr.unknown-function",
        "expr.arity",
      ]);
  });

  it("lets the host add functions", () => {
    const calls: unknown[][] = [];
    const functions = {
      GetActiveDecisionsCount: {
        minArgs: 1,
        maxArgs: 1,
        call: (args: readonly unknown[]) => {
          calls.push([...args]);
          return 2;
        },
      },
    };
    expect(
      ev(
        "GetActiveDecisionsCount(Alert.GetValue()) < 3",
        { Alert: { Source: { Value: "1.2.3.4" } } },
        { functions },
      ),
    ).toBe(true);
    expect(calls).toEqual([["1.2.3.4"]]);
    expect(compileError("GetActiveDecisionsCount()", { functions }).code).toBe("expr.arity");
  });
});

describe("step budget", () => {
  it("stops predicates over huge ranges with a typed error, not a crash", () => {
    const e = evalError("count(1..100000000, # > 0) > 0");
    expect(e.code).toBe("expr.budget");
    expect(e.message).toContain("budget of 100000 steps");
  });

  it("applies a custom budget per run, fresh for each run", () => {
    const c = compiled("all(xs, {all(xs, {# >= 0})})", { stepBudget: 500 });
    expect(c.run({ xs: Array.from({ length: 20 }, (_, i) => i) })).toBe(true);
    expect(c.run({ xs: Array.from({ length: 20 }, (_, i) => i) })).toBe(true);
    expect(() => c.run({ xs: Array.from({ length: 30 }, (_, i) => i) })).toThrowError(
      /budget of 500 steps/,
    );
  });

  it("counts repeat() output too", () => {
    expect(evalError("len(repeat('ab', 1000000))").code).toBe("expr.budget");
  });
});

describe("evalBool and evalString", () => {
  const evt = httpEvent();
  it("treat only `true` as a match; errors count as false and are reported", () => {
    const errors: string[] = [];
    const onError = (e: ExprEvalError) => errors.push(e.message);
    expect(evalBool(compiled("evt.Meta.http_status == '404'"), { evt }, onError)).toBe(true);
    expect(evalBool(compiled("evt.Meta.http_status"), { evt }, onError)).toBe(false);
    expect(evalBool(compiled("evt.Unmarshaled.x.y == 1"), { evt }, onError)).toBe(false);
    expect(errors).toEqual(["cannot fetch y from nil"]);
  });

  it("return strings for groupby-style expressions and report other types", () => {
    const errors: string[] = [];
    expect(evalString(compiled("evt.Meta.source_ip"), { evt })).toBe("192.0.2.7");
    expect(
      evalString(compiled("evt.Time"), { evt }, (e) => errors.push(e.message)),
    ).toBeUndefined();
    expect(errors).toEqual(["expected a string result, got int"]);
  });

  it("let a host function re-enter the same expression safely", () => {
    const c = compiled("let v = x * 2; f(v) + v", {
      functions: {
        f: { minArgs: 1, maxArgs: 1, call: ([v]) => (v === 2 ? (c.run({ x: 10 }) as number) : 0) },
      },
    });
    // The inner run (x=10) yields 0 + 20; the outer frame keeps its own v = 2.
    expect(c.run({ x: 1 })).toBe(20 + 2);
  });
});
