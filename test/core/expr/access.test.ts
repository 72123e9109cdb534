import { describe, expect, it } from "vitest";
import { ExprEvalError } from "../../../src/core/expr";
import { compiled, ev, httpEvent } from "./support";

function evalError(src: string, env: Record<string, unknown> = {}): ExprEvalError {
  try {
    compiled(src).run(env);
  } catch (e) {
    if (e instanceof ExprEvalError) return e;
    throw e;
  }
  throw new Error(`expected ${src} to fail`);
}

describe("Go zero values for map[string]string fields", () => {
  const evt = httpEvent({}, { verb: "POST" });
  it("reads a missing Meta/Parsed/Enriched/Labels key as '' (CrowdSec: Go maps return '')", () => {
    expect(ev("evt.Parsed.missing", { evt })).toBe("");
    expect(ev("evt.Parsed.missing == ''", { evt })).toBe(true);
    expect(ev("evt.Meta['nope'] == ''", { evt })).toBe(true);
    expect(ev("evt.Enriched.reverse_dns endsWith '.googlebot.com'", { evt })).toBe(false);
    expect(ev("evt.Line.Labels.missing", { evt })).toBe("");
    expect(ev("len(evt.Meta.missing)", { evt })).toBe(0);
  });

  it("keeps hub idioms working: `in` with a missing key is false, `nil` never equals ''", () => {
    expect(ev("evt.Meta.http_status_x in ['404']", { evt })).toBe(false);
    expect(ev("evt.Parsed.file_frag != nil", { evt })).toBe(true);
    expect(ev("evt.Meta.user not in ['', nil]", { evt })).toBe(false);
  });

  it("reads other missing keys as nil, and fails fetching from nil unless ?. is used", () => {
    expect(ev("evt.Unmarshaled.traefik", { evt })).toBeNull();
    expect(evalError("evt.Unmarshaled.traefik.X", { evt }).message).toBe("cannot fetch X from nil");
    expect(ev("evt.Unmarshaled.traefik?.X.Y.Z", { evt })).toBeNull();
    expect(ev("evt.Unmarshaled?.traefik?.['X']", { evt })).toBeNull();
    expect(ev("evt.Unmarshaled.traefik?.GetMeta('x')", { evt })).toBeNull();
  });

  it("fails on out-of-range indexes like expr", () => {
    expect(evalError("q[-3]", { q: [1, 2] }).message).toContain("index out of range: -3");
    expect(evalError("q[2]", { q: [1, 2] }).message).toContain("index out of range: 2");
  });
});

describe("no prototype access", () => {
  const env = {
    o: { a: 1 },
    arr: [1, 2],
    s: "str",
    parsed: JSON.parse('{"constructor":{"x":1},"__proto__":{"y":2}}'),
  };
  it("reads __proto__, constructor and prototype as nil, even as own JSON keys", () => {
    for (const src of [
      "o.__proto__",
      "o.constructor",
      "o.prototype",
      "o['__proto__']",
      "parsed.constructor",
      "parsed.__proto__",
    ]) {
      expect(ev(src, env), src).toBeNull();
    }
    expect(ev("o.constructor?.name", env)).toBeNull();
  });

  it("never reads inherited members (toString, hasOwnProperty, array methods, string length)", () => {
    expect(ev("o.toString", env)).toBeNull();
    expect(ev("o.hasOwnProperty", env)).toBeNull();
    expect(ev("$env.toString", env)).toBeNull();
    expect(evalError("arr.map", env).message).toContain("cannot index array");
    expect(evalError("arr.length", env).message).toContain("cannot index array");
    expect(evalError("s.length", env).message).toContain("cannot index string");
    expect(ev("toString", env)).toBeNull();
  });

  it("does not call inherited functions as methods", () => {
    expect(evalError("o.toString()", env).message).toContain("map has no method toString()");
    expect(evalError("o.hasOwnProperty('a')", env).message).toContain("has no method");
  });

  it("refuses SetMeta on a prototype key", () => {
    const evt = httpEvent();
    expect(evalError("evt.SetMeta('__proto__', 'x')", { evt }).message).toContain("refusing key");
    expect(Object.getPrototypeOf(evt.Meta)).toBe(Object.prototype);
  });

  it("keeps map literal keys named __proto__ as plain data", () => {
    const m = ev("{__proto__: 1}") as Record<string, unknown>;
    expect(Object.keys(m)).toEqual(["__proto__"]);
    expect(ev("{__proto__: 1}.__proto__")).toBeNull();
  });
});

describe("method calls", () => {
  it("calls an own function property of a host object with its arguments", () => {
    const Alert = {
      GetScope: () => "Ip",
      GetValue() {
        return this.value;
      },
      value: "192.0.2.1",
    };
    expect(ev("Alert.GetScope() == 'Ip' && Alert.GetValue() == '192.0.2.1'", { Alert })).toBe(true);
  });

  it("falls back to CrowdSec's methods by name on events and alerts", () => {
    const evt = httpEvent();
    expect(ev("evt.GetMeta('source_ip')", { evt })).toBe("192.0.2.7");
    expect(ev("evt.GetMeta('absent')", { evt })).toBe("");
    expect(ev("evt.GetType()", { evt })).toBe("log");
    expect(ev("evt.GetType()", { evt: { Type: 1 } })).toBe("overflow");
    const crowdsecAlert = {
      Scenario: "crowdsecurity/ssh-bf",
      Source: { Scope: "Ip", Value: "1.2.3.4" },
      EventsCount: 6,
      Remediation: true,
    };
    expect(
      ev("[A.GetScenario(), A.GetScope(), A.GetValue(), A.GetEventsCount(), A.GetRemediation()]", {
        A: crowdsecAlert,
      }),
    ).toEqual(["crowdsecurity/ssh-bf", "Ip", "1.2.3.4", 6, true]);
    const palisadeAlert = {
      scenario: "crowdsecurity/http-probing",
      source: { scope: "Range", value: "1.2.3.0/24", ip: "1.2.3.4" },
      events_count: 3,
    };
    expect(
      ev("[A.GetScenario(), A.GetScope(), A.GetValue(), A.GetEventsCount(), A.GetSources()]", {
        A: palisadeAlert,
      }),
    ).toEqual(["crowdsecurity/http-probing", "Range", "1.2.3.0/24", 3, ["1.2.3.4"]]);
  });

  it("runs the postoverflow idiom: .GetMeta on every alert event", () => {
    const evt = {
      Type: 1,
      Overflow: {
        Alert: {
          Scenario: "crowdsecurity/auditd-sus-exec",
          Events: [
            { Meta: [{ Key: "exe", Value: "/home/u/.nvm/versions/node/v18.1.0/bin/node" }] },
          ],
        },
      },
    };
    const src =
      "evt.Overflow.Alert.GetScenario() == 'crowdsecurity/auditd-sus-exec' && all(evt.Overflow.Alert.Events, {.GetMeta('exe') matches '\\\\.nvm\\\\/versions\\\\/node\\\\/v(\\\\d+)\\\\.(\\\\d+)\\\\.(\\\\d+)\\\\/bin\\\\/node$'})";
    expect(ev(src, { evt })).toBe(true);
    expect(ev("evt.GetMeta('exe')", { evt })).toBe("/home/u/.nvm/versions/node/v18.1.0/bin/node");
  });

  it("sets Meta and Parsed values (SetMeta returns true, as in CrowdSec)", () => {
    const evt = httpEvent();
    expect(ev("evt.SetMeta('cve', 'CVE-1') && evt.SetParsed('p', 'v')", { evt })).toBe(true);
    expect(evt.Meta.cve).toBe("CVE-1");
    expect(evt.Parsed.p).toBe("v");
  });

  it("offers time.Time methods on times in ms (UTC), as aws-nwo-login uses them", () => {
    const evt = httpEvent(); // Saturday 2024-01-06 21:30:05 UTC
    expect(ev("evt.Time.Hour() >= 18 || evt.Time.Hour() < 6", { evt })).toBe(true);
    expect(ev("evt.Time.Weekday().String() == 'Saturday'", { evt })).toBe(true);
    expect(
      ev(
        "[evt.Time.Year(), evt.Time.Month(), evt.Time.Day(), evt.Time.Minute(), evt.Time.Second(), evt.Time.YearDay()]",
        { evt },
      ),
    ).toEqual([2024, 1, 6, 30, 5, 6]);
    expect(ev("evt.Time.Unix()", { evt })).toBe(Math.floor(evt.Time / 1000));
  });

  it("fails clearly on unknown methods and nil receivers", () => {
    expect(evalError("x.Nope()", { x: {} }).message).toBe("map has no method Nope()");
    expect(evalError("x.GetMeta('a')", { x: null }).message).toBe("cannot call GetMeta() on nil");
  });
});
