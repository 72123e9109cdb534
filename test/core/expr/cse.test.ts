import { describe, expect, it } from "vitest";
import { EvalCache } from "../../../src/core/expr";
import { compiled, httpEvent } from "./support";

// The per-event cache of shared subexpressions: computed once per generation, shared by
// every expression that contains them, forgotten on `next()`. The tests change the event
// behind the cache's back to see which value a run used.

describe("EvalCache: one computation per event for shared subexpressions", () => {
  it("gives the same results as running without a cache", () => {
    const f = compiled(
      "Upper(evt.Meta.http_path) contains '/WP-' && Lower(evt.Meta.log_type) == 'http_access-log'",
    );
    const cache = new EvalCache();
    for (const path of ["/wp-login.php", "/index.html", "/WP-ADMIN"]) {
      const env = { evt: httpEvent({ http_path: path }) };
      cache.next();
      expect(f.run(env, cache)).toBe(f.run(env));
    }
  });

  it("shares a value between expressions until the generation changes", () => {
    const a = compiled("Upper(evt.Meta.http_path)");
    const b = compiled("Upper(evt.Meta.http_path) == '/A'");
    const evt = httpEvent({ http_path: "/a" });
    const cache = new EvalCache();
    expect(a.run({ evt }, cache)).toBe("/A");
    evt.Meta.http_path = "/b";
    // Same generation: b reads the value a computed.
    expect(b.run({ evt }, cache)).toBe(true);
    cache.next();
    expect(b.run({ evt }, cache)).toBe(false);
    // Without a cache nothing is shared.
    expect(b.run({ evt })).toBe(false);
  });

  it("does not keep a failure: the next run computes again", () => {
    const f = compiled("Upper(evt.Unmarshaled.n)");
    const evt = httpEvent();
    evt.Unmarshaled.n = 5;
    const cache = new EvalCache();
    expect(() => f.run({ evt }, cache)).toThrow(/Upper/);
    evt.Unmarshaled.n = "x";
    expect(f.run({ evt }, cache)).toBe("X");
  });

  it("keeps values per slot even for expressions compiled after the cache", () => {
    const cache = new EvalCache();
    const evt = httpEvent({ http_path: "/late" });
    const f = compiled("QueryUnescape(Lower(TrimSpace(evt.Meta.http_path)))");
    expect(f.run({ evt }, cache)).toBe("/late");
    evt.Meta.http_path = "/changed";
    expect(f.run({ evt }, cache)).toBe("/late");
  });
});
