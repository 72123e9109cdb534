import { describe, expect, it } from "vitest";
import { ExprEvalError } from "../../../src/core/expr";
import { compiled, ev, httpEvent } from "./support";

function fails(src: string, env: Record<string, unknown> = {}): string {
  try {
    compiled(src).run(env);
  } catch (e) {
    if (e instanceof ExprEvalError) return e.message;
    throw e;
  }
  throw new Error(`expected ${src} to fail`);
}

describe("expr builtins", () => {
  it("len counts UTF-8 bytes of strings (Go), elements of arrays, keys of maps", () => {
    expect(ev("[len('héllo'), len([1, 2]), len({a: 1}), len('')]")).toEqual([6, 2, 1, 0]);
    expect(fails("len(x)", { x: null })).toBe("invalid argument for len (type nil)");
  });

  it("converts with int, float and string", () => {
    expect(ev("[int('42'), int(3.9), int(-3.9), float('2.5'), float(2)]")).toEqual([
      42, 3, -3, 2.5, 2,
    ]);
    expect(ev("[string(12), string(1.5), string([1, 'a']), string(nil), string(true)]")).toEqual([
      "12",
      "1.5",
      "[1 a]",
      "<nil>",
      "true",
    ]);
    expect(fails("int(x)", { x: "4x" })).toBe('int: cannot convert "4x" to an int');
    expect(fails("float(x)", { x: "" })).toBe('float: cannot convert "" to a float');
  });

  it("does numbers: abs, ceil, floor, round (halves away from zero), max, min, mean, median", () => {
    expect(ev("[abs(-2), ceil(1.2), floor(1.8), round(2.5), round(-2.5)]")).toEqual([
      2, 2, 1, 3, -3,
    ]);
    expect(ev("[max(1, 5, 3), min([4, 2]), mean([1, 2, 3]), median([3, 1, 2, 4])]")).toEqual([
      5, 2, 2, 2.5,
    ]);
  });

  it("does strings: upper, lower, trim, split, replace, repeat, join, indexOf, hasPrefix…", () => {
    expect(
      ev(
        "[upper('a'), lower('B'), trim('  x '), trim('xxhix', 'x'), trimPrefix('ab', 'a'), trimSuffix('ab', 'b')]",
      ),
    ).toEqual(["A", "b", "x", "hi", "b", "a"]);
    expect(ev("[split('a,b,c', ','), split('a,b,c', ',', 2), splitAfter('a,b', ',')]")).toEqual([
      ["a", "b", "c"],
      ["a", "b,c"],
      ["a,", "b"],
    ]);
    expect(
      ev("[replace('aXbX', 'X', '-'), repeat('ab', 3), join(['a', 'b']), join(['a', 'b'], '+')]"),
    ).toEqual(["a-b-", "ababab", "ab", "a+b"]);
    expect(
      ev(
        "[indexOf('abcb', 'b'), lastIndexOf('abcb', 'b'), hasPrefix('abc', 'ab'), hasSuffix('abc', 'bc')]",
      ),
    ).toEqual([1, 3, true, true]);
  });

  it("does arrays and maps: keys, values, first, last, get, reverse, uniq, concat, flatten, sort", () => {
    expect(ev("[keys({a: 1, b: 2}), values({a: 1, b: 2})]")).toEqual([
      ["a", "b"],
      [1, 2],
    ]);
    expect(ev("[first([]), first([7, 8]), last([7, 8]), last(nil)]")).toEqual([null, 7, 8, null]);
    expect(
      ev("[get([1, 2], -1), get([1], 5), get({a: 1}, 'a'), get({a: 1}, 'b'), get(nil, 1)]"),
    ).toEqual([2, null, 1, null, null]);
    expect(
      ev("[reverse([1, 2]), uniq([1, 1, 'a', 'a']), concat([1], [2, 3]), flatten([1, [2, [3]]])]"),
    ).toEqual([
      [2, 1],
      [1, "a"],
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(ev("[sort(['b', 'a']), sort([3, 1, 2], 'desc')]")).toEqual([
      ["a", "b"],
      [3, 2, 1],
    ]);
    expect(ev("[type(1), type(1.5), type('s'), type(nil), type([]), type({})]")).toEqual([
      "int",
      "float",
      "string",
      "nil",
      "array",
      "map",
    ]);
  });

  it("does JSON and base64", () => {
    expect(ev("toJSON({a: [1]})")).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(ev("fromJSON('{\"a\": [1]}').a[0]")).toBe(1);
    expect(ev("[toBase64('hé'), fromBase64('aMOp'), toBase64('ab'), toBase64('a')]")).toEqual([
      "aMOp",
      "hé",
      "YWI=",
      "YQ==",
    ]);
  });
});

describe("predicate builtins", () => {
  it("all, any, none, one", () => {
    expect(ev("[all([1, 2], # > 0), all([], # > 5), all([1, 6], # > 5)]")).toEqual([
      true,
      true,
      false,
    ]);
    expect(
      ev(
        "[any([1, 6], # > 5), any([], # > 5), none([1, 2], # > 5), one([1, 6], # > 5), one([6, 7], # > 5)]",
      ),
    ).toEqual([true, false, true, true, false]);
  });

  it("filter, map (#index), count, sum", () => {
    expect(
      ev("[filter(1..6, # % 2 == 0), map(['a', 'b'], #index), map([1, 2], {# * 10})]"),
    ).toEqual([
      [2, 4, 6],
      [0, 1],
      [10, 20],
    ]);
    expect(
      ev("[count([true, false, true]), count(1..10, # > 7), sum([1, 2, 3]), sum(xs, .n)]", {
        xs: [{ n: 2 }, { n: 5 }],
      }),
    ).toEqual([2, 3, 6, 7]);
  });

  it("find, findIndex, findLast, findLastIndex, reduce (#acc)", () => {
    expect(
      ev(
        "[find([1, 2, 3], # > 1), findIndex([1, 2, 3], # > 1), findLast([1, 2, 3], # > 1), findLastIndex([1, 2, 3], # > 1)]",
      ),
    ).toEqual([2, 1, 3, 2]);
    expect(ev("[find([1], # > 5), findIndex([1], # > 5)]")).toEqual([null, -1]);
    expect(
      ev("[reduce(1..4, #acc + #), reduce([1, 2], #acc + #, 10), reduce([], #acc + #)]"),
    ).toEqual([10, 13, null]);
  });

  it("nests predicates, each # being its own element", () => {
    expect(ev("all([[1, 2], [3]], {any(#, {# > 0})})")).toBe(true);
    expect(ev("map([[1, 2], [3]], {sum(#)})")).toEqual([3, 3]);
    expect(ev("filter(xs, {let n = #.n; n > 1})", { xs: [{ n: 1 }, { n: 2 }] })).toEqual([
      { n: 2 },
    ]);
  });

  it("requires bool predicates and arrays", () => {
    expect(fails("any([1], {#})")).toBe("any: the predicate must return a bool, got int");
    expect(fails("all(x, # > 1)", { x: null })).toBe("all: expects an array, got nil");
  });
});

describe("hub conditions on the bucket queue", () => {
  const failure = (t: number) => ({ ...httpEvent({ log_type: "ssh_failed-auth" }), Time: t });
  const success = (t: number) => ({ ...httpEvent({ log_type: "auth_success" }), Time: t });
  const condition = compiled(
    `let failedAuths = filter(queue.Queue, {#.Meta.log_type == 'ssh_failed-auth'});
     len(failedAuths) >= 4 && MedianInterval(map(failedAuths[-4:], {#.Time})) > duration("10m")`,
    { names: ["evt", "queue", "leaky"] },
  );

  it("ssh-time-based-bf fires on slow failures (median gap over 10 minutes)", () => {
    const slow = [0, 11, 22, 35, 47].map((m) => failure(m * 60_000));
    expect(condition.run({ queue: { Queue: slow } })).toBe(true);
  });

  it("and not on fast ones, nor on too few, and ignores successes", () => {
    const fast = [0, 1, 2, 3, 4].map((m) => failure(m * 60_000));
    expect(condition.run({ queue: { Queue: fast } })).toBe(false);
    const few = [0, 20, 40].map((m) => failure(m * 60_000));
    expect(condition.run({ queue: { Queue: [...few, success(50 * 60_000)] } })).toBe(false);
  });

  it("impossible-travel compares the last two events", () => {
    const at = (lat: string, lon: string) => ({
      ...httpEvent(),
      Enriched: { Latitude: lat, Longitude: lon },
    });
    const cond = compiled(
      "len(queue.Queue) >= 2 and Distance(queue.Queue[-1].Enriched.Latitude, queue.Queue[-1].Enriched.Longitude, queue.Queue[-2].Enriched.Latitude, queue.Queue[-2].Enriched.Longitude) > 1000",
    );
    expect(cond.run({ queue: { Queue: [at("48.85", "2.35"), at("40.71", "-74.00")] } })).toBe(true);
    expect(cond.run({ queue: { Queue: [at("48.85", "2.35"), at("51.50", "-0.12")] } })).toBe(false);
    expect(cond.run({ queue: { Queue: [at("48.85", "2.35"), { ...httpEvent() }] } })).toBe(false);
  });

  it("aws-cloudtrail-postexploit counts with a bare predicate", () => {
    const ev2 = (name: string) => httpEvent({ event_name: name });
    const cond = compiled(
      'count(queue.Queue, #.Meta.event_name in ["ListUserPolicies", "ListBuckets"] or #.Meta.event_name startsWith "ListFunctions") > 2',
    );
    const q = ["ListBuckets", "ListUserPolicies", "ListFunctions20150331", "Other"].map(ev2);
    expect(cond.run({ queue: { Queue: q } })).toBe(true);
    expect(cond.run({ queue: { Queue: q.slice(1) } })).toBe(false);
  });
});
