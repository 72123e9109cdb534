import { describe, expect, it } from "vitest";
import { compileExpr, ExprEvalError } from "../../../src/core/expr";
import { compiled, ev, httpEvent, hubData } from "./support";

function fails(src: string, env: Record<string, unknown> = {}): string {
  try {
    compiled(src).run(env);
  } catch (e) {
    if (e instanceof ExprEvalError) return e.message;
    throw e;
  }
  throw new Error(`expected ${src} to fail`);
}

describe("CrowdSec string helpers", () => {
  it("map case like Go (no special-casing expansions)", () => {
    expect(ev("Upper('aé/x')")).toBe("AÉ/X");
    expect(ev("Upper('straße')")).toBe("STRAßE");
    expect(ev("Lower('ÀB İ')")).toBe("àb i");
  });

  it("trim, split, join and search like Go's strings package", () => {
    expect(ev("TrimSpace('\\t x \\n')")).toBe("x");
    expect(ev("[Trim('xxhixx', 'x'), TrimLeft('aabc', 'a'), TrimRight('abcc', 'c')]")).toEqual([
      "hi",
      "bc",
      "ab",
    ]);
    expect(
      ev("[TrimPrefix('prefix-x', 'prefix-'), TrimSuffix('a.php', '.php'), TrimSuffix('a', '')]"),
    ).toEqual(["x", "a", "a"]);
    expect(ev("Split('a,b,,c', ',')")).toEqual(["a", "b", "", "c"]);
    expect(ev("Split('aé', '')")).toEqual(["a", "é"]);
    expect(ev("SplitN('a,b,c', ',', 2)")).toEqual(["a", "b,c"]);
    expect(ev("SplitN('a,b', ',', 0)")).toEqual([]);
    expect(ev("SplitAfter('a,b', ',')")).toEqual(["a,", "b"]);
    expect(ev("SplitAfterN('a,b,c', ',', 2)")).toEqual(["a,", "b,c"]);
    expect(ev("Join(['a', 'b'], '-')")).toBe("a-b");
    expect(ev("Fields('  a  b\\tc ')")).toEqual(["a", "b", "c"]);
    expect(ev("[Index('chicken', 'ken'), IndexAny('golang', 'ny'), Index('x', 'y')]")).toEqual([
      4, 4, -1,
    ]);
    expect(ev("Replace('oink oink oink', 'k', 'ky', 2)")).toBe("oinky oinky oink");
    expect(ev("Replace('ab', '', '-', -1)")).toBe("-a-b-");
    expect(ev("ReplaceAll('oink oink', 'oink', 'moo')")).toBe("moo moo");
    expect(ev("[Get(['a', 'b'], 1), Get(['a'], 5)]")).toEqual(["b", ""]);
    expect(ev("[ToString('x'), ToString(1), ToString(nil)]")).toEqual(["x", "", ""]);
    expect(ev("[Atof('3.5'), Atof('1e3'), Atof('x'), Atof(' 1')]")).toEqual([3.5, 1000, 0, 0]);
    expect(ev("B64Decode('aGVsbG8gw6k=')")).toBe("hello é");
    expect(fails("B64Decode(x)", { x: "!!" })).toContain("illegal base64 data");
    expect(ev("LogInfo('seen %s', 'x')")).toBe(true);
  });

  it("reject non-string arguments with the helper and position named", () => {
    expect(fails("Upper(x)", { x: null })).toBe("Upper: argument 1 must be a string, got nil ");
    expect(fails("TrimPrefix('a', x)", { x: 3 })).toBe(
      'TrimPrefix: argument 2 must be a string, got int "3"',
    );
  });

  it("Match: CrowdSec's wildcard match, linear even on hostile input", () => {
    const cases: [string, string, boolean][] = [
      ["*.php", "index.php", true],
      ["a?c", "abc", true],
      ["a?c", "ac", false],
      ["a*b*c", "axxbyyc", true],
      ["a*b", "ac", false],
      ["*", "", true],
      ["", "", true],
      ["a*", "", false],
      ["**", "x", true],
      // CrowdSec's recursion stops at the end of the name unless "" or "*" is left.
      ["a**", "a", false],
      ["a*", "a", true],
    ];
    for (const [p, n, want] of cases) expect(ev("Match(p, n)", { p, n }), `${p} ~ ${n}`).toBe(want);
    expect(ev("Match(p, n)", { p: `${"*a".repeat(30)}*b`, n: "a".repeat(20_000) })).toBe(false);
  });

  it("Sprintf: Go verbs, flags, widths and error notation", () => {
    expect(ev(`Sprintf('%s|%d|%v|%q', 'a', 5, [1, 2], 'x"y')`)).toBe('a|5|[1 2]|"x\\"y"');
    expect(
      ev("Sprintf('%5s|%-5s|%05d|%x|%X|%o|%b|%t|%c', 'ab', 'ab', 42, 255, 255, 8, 5, true, 65)"),
    ).toBe("   ab|ab   |00042|ff|FF|10|101|true|A");
    expect(ev("Sprintf('%.2f|%e|%g|%+d|%x', 3.14159, 1234.5678, 0.000012345, 3, 'hi')")).toBe(
      "3.14|1.234568e+03|1.2345e-05|+3|6869",
    );
    expect(ev("Sprintf('%v|%+v|%v|%T|%T', {b: 1, a: 'x'}, [nil], 1.5, 1.5, 'x')")).toBe(
      "map[a:x b:1]|[<nil>]|1.5|float64|string",
    );
    expect(ev("Sprintf('%v %v', 1234567.5, 0.00001)")).toBe("1.2345675e+06 1e-05");
    expect(ev("Sprintf('%d|%d %d|100%%', 'x', 1)")).toBe("%!d(string=x)|1 %!d(MISSING)|100%");
    expect(ev("Sprintf('%d', 1, 'extra')")).toBe("1%!(EXTRA string=extra)");
    expect(fails("Sprintf(f, 1)", { f: "%99999d" })).toContain("width or precision above");
  });
});

describe("CrowdSec URL helpers", () => {
  it("unescape like net/url, returning the input when an escape is malformed", () => {
    expect(ev("PathUnescape('/a%20b%2Fc+d')")).toBe("/a b/c+d");
    expect(ev("QueryUnescape('a+b%3D')")).toBe("a b=");
    expect(ev("PathUnescape('%C3%A9%FF')")).toBe("é\ufffd");
    expect(ev("[PathUnescape('%zz'), PathUnescape('50%'), QueryUnescape('%4')]")).toEqual([
      "%zz",
      "50%",
      "%4",
    ]);
  });

  it("escape like net/url", () => {
    expect(ev("PathEscape('a b/c?d&e=é')")).toBe("a%20b%2Fc%3Fd&e=%C3%A9");
    expect(ev("QueryEscape('a b/c?d&e=é')")).toBe("a+b%2Fc%3Fd%26e%3D%C3%A9");
  });

  it("ParseUri returns the query as lists of values, empty on a malformed query", () => {
    expect(ev("ParseUri('/p?a=1&b=x+y&a=2#frag')")).toEqual({ a: ["1", "2"], b: ["x y"] });
    expect(ev("ParseUri('/p?a=1;b=2')")).toEqual({});
    expect(ev("ParseUri('/p?a=%zz')")).toEqual({});
    expect(ev("ParseUri('/p?id=7')['id'][0]")).toBe("7");
  });
});

describe("CrowdSec JSON helpers", () => {
  const blob = '{"a": {"b": [1, {"c": "x\\"y"}]}, "n": 12.5, "s": "a\\u00e9"}';
  it("JsonExtract returns raw JSON text (strings unquoted but still escaped)", () => {
    expect(ev("JsonExtract(j, 'a.b[1].c')", { j: blob })).toBe('x\\"y');
    expect(ev("JsonExtract(j, 'a.b')", { j: blob })).toBe('[1, {"c": "x\\"y"}]');
    expect(ev("JsonExtract(j, 'n')", { j: blob })).toBe("12.5");
    expect(ev("JsonExtract(j, 'a.missing')", { j: blob })).toBe("");
    expect(ev("JsonExtract('not json', 'a')")).toBe("");
  });

  it("JsonExtractUnescape and JsonExtractLib take path elements", () => {
    expect(ev("JsonExtractUnescape(j, 'a', 'b', '[1]', 'c')", { j: blob })).toBe('x"y');
    expect(ev("JsonExtractUnescape(j, 's')", { j: blob })).toBe("aé");
    expect(ev("JsonExtractUnescape(j, 'n')", { j: blob })).toBe("");
    expect(ev("JsonExtractLib(j, 'a', 'b', '[1]', 'c')", { j: blob })).toBe('x"y');
    expect(ev("JsonExtractLib(j, 'a', 'zz')", { j: blob })).toBeNull();
  });

  it("JsonExtractSlice/Object parse the value at a path, nil when of another type", () => {
    expect(ev("JsonExtractSlice(j, 'a.b')", { j: blob })).toEqual([1, { c: 'x"y' }]);
    expect(ev("JsonExtractSlice(j, 'n')", { j: blob })).toBeNull();
    expect(ev("JsonExtractObject(j, 'a.b[1]')", { j: blob })).toEqual({ c: 'x"y' });
  });

  it("ToJsonString marshals like Go (sorted keys, HTML-safe escapes)", () => {
    expect(ev("ToJsonString({b: 1, a: '<x&y>'})")).toBe('{"a":"\\u003cx\\u0026y\\u003e","b":1}');
  });

  it("UnmarshalJSON fills a map and returns nil, or the error", () => {
    const evt = httpEvent();
    expect(ev("UnmarshalJSON('{\"k\": [1]}', evt.Unmarshaled, 'app') in ['', nil]", { evt })).toBe(
      true,
    );
    expect(ev("evt.Unmarshaled.app.k[0]", { evt })).toBe(1);
    expect(ev("UnmarshalJSON('{bad', evt.Unmarshaled, 'x') in ['', nil]", { evt })).toBe(false);
    expect(
      ev("[KeyExists('app', evt.Unmarshaled), KeyExists('x', evt.Unmarshaled)]", { evt }),
    ).toEqual([true, false]);
  });
});

describe("ParseKV", () => {
  it("parses key=value, quoted values (escapes kept) and bare keys like CrowdSec's regex", () => {
    const evt = httpEvent();
    const line = 'a=1 b="x \\"y\\" z" c= d=e=f g="open h=2 client=unknown[192.0.2.1], v\vw=1';
    expect(ev("ParseKV(line, evt.Unmarshaled, 'p') == nil", { evt, line })).toBe(true);
    expect(evt.Unmarshaled.p).toEqual({
      a: "1",
      b: 'x \\"y\\" z',
      c: "",
      d: "e",
      g: '"open',
      h: "2",
      client: "unknown[192.0.2.1],",
      "v\vw": "1",
    });
  });

  it("fails on a line without any pair, and keeps __proto__ an ordinary key", () => {
    const evt = httpEvent();
    expect(fails("ParseKV('no pairs here', evt.Unmarshaled, 'p')", { evt })).toContain(
      "invalid input format",
    );
    expect(ev("ParseKV('__proto__=x', evt.Unmarshaled, 'p') == nil", { evt })).toBe(true);
    const p = evt.Unmarshaled.p as Record<string, unknown>;
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
    expect(Object.keys(p)).toEqual(["__proto__"]);
  });
});

describe("CrowdSec IP, geo and time helpers", () => {
  it("IpInRange / IsIP* / IpToRange follow Go's net package", () => {
    expect(ev("IpInRange('10.1.2.3', '10.0.0.0/8')")).toBe(true);
    expect(ev("IpInRange('::ffff:10.1.2.3', '10.0.0.0/8')")).toBe(true);
    expect(ev("IpInRange('2001:db8::1', '2001:db8::/32')")).toBe(true);
    expect(ev("IpInRange('10.1.2.3', '192.168.0.0/16')")).toBe(false);
    expect(ev("IpInRange('10.1.2.3', '10.1.2.3')")).toBe(false);
    expect(ev("IpInRange('nope', '10.0.0.0/8')")).toBe(false);
    expect(
      ev(
        "[IsIPV4('1.2.3.4'), IsIPV4('::1'), IsIPV6('::1'), IsIPV6('::ffff:1.2.3.4'), IsIP(' 1.2.3.4'), IsIP('1.2.3')]",
      ),
    ).toEqual([true, false, true, false, false, false]);
    expect(ev("IpToRange('192.168.1.77', '/24')")).toBe("192.168.1.0/24");
    expect(ev("IpToRange('2001:db8:1:2:3::1', '64')")).toBe("2001:db8:1:2::/64");
    expect(
      ev("[IpToRange('x', '/24'), IpToRange('1.2.3.4', '/40'), IpToRange('1.2.3.4', 'x')]"),
    ).toEqual(["", "", ""]);
  });

  it("Distance: haversine km between lat/long strings, 0 when unknown or at 0,0", () => {
    expect(ev("Distance('48.8566', '2.3522', '51.5074', '-0.1278')")).toBeCloseTo(343.556, 2);
    expect(ev("Distance('0', '0', '48.8', '2.3')")).toBe(0);
    expect(ev("Distance('', '', '48.8', '2.3')")).toBe(0);
  });

  it("MedianInterval / AverageInterval over times in ms, compared with duration()", () => {
    expect(ev("MedianInterval([0, 60000, 180000, 3600000])")).toBe(120_000);
    expect(ev("MedianInterval([0, 10, 30, 60, 100])")).toBe(25);
    expect(ev("MedianInterval([3, 1, 2])")).toBe(1);
    expect(ev("[MedianInterval([5]), MedianInterval([])]")).toEqual([0, 0]);
    expect(ev("AverageInterval([0, 10, 30])")).toBe(15);
    expect(ev("[duration('10m'), duration('1h30m'), duration('500ms')]")).toEqual([
      600_000, 5_400_000, 500,
    ]);
  });

  it("ParseUnix formats a unix time as RFC 3339 (UTC), '' when invalid", () => {
    expect(ev("ParseUnix('1700000000.123')")).toBe("2023-11-14T22:13:20Z");
    expect(ev("[ParseUnix('abc'), ParseUnix('-5')]")).toEqual(["", ""]);
  });
});

describe("data file helpers", () => {
  const opts = { data: hubData };
  it("File returns the lines without comments; `in File()` is a set lookup", () => {
    expect(ev("File('backdoors.txt')", {}, opts)).toEqual(["c99.php", "r57.php", "shell.php"]);
    const evt = httpEvent({}, { file_name: "shell.php" });
    expect(ev("evt.Parsed.file_name in File('backdoors.txt')", { evt }, opts)).toBe(true);
    expect(ev("'# comment line' in File('backdoors.txt')", {}, opts)).toBe(false);
  });

  it("warns at compile time about a data file that is not loaded, and reads it as empty", () => {
    const r = compileExpr("any(File('nope.txt'), {# == 'x'})", {
      data: hubData,
      path: "x.yaml#0:filter",
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings.map((w) => w.code)).toEqual(["expr.data.missing"]);
    expect(r.warnings[0]?.message).toContain('data file "nope.txt" is not loaded');
    expect(r.value.run({})).toBe(false);
  });

  it("RegexpInFile: any line of a regex file matches (RE2), comments skipped", () => {
    const re = compiled("RegexpInFile(ua, 'ua.regex')", opts);
    expect(re.run({ ua: "sqlmap/1.2 (http://sqlmap.org)" })).toBe(true);
    expect(re.run({ ua: "Mozilla NIKTO scan" })).toBe(true);
    expect(re.run({ ua: "curl/7.68" })).toBe(true);
    expect(re.run({ ua: "Mozilla/5.0 curl/7" })).toBe(false);
    expect(re.run({ ua: "# bots" })).toBe(false);
  });

  it("LookupFile: equals first, then the leftmost contains, then regexes", () => {
    const look = compiled("LookupFile(p, 'tech.json')", opts);
    expect(look.run({ p: "/wp-admin/install.php" })).toBe("wordpress-exact");
    expect(look.run({ p: "/blog/wp-login.php" })).toBe("wordpress");
    expect(look.run({ p: "/x/phpmyadmin/wp-y" })).toBe("phpmyadmin");
    expect(look.run({ p: "/jenkins/script.jsp" })).toBe("jenkins");
    expect(look.run({ p: "/nothing" })).toBe("");
    expect(ev("len(FileMap('tech.json'))", {}, opts)).toBe(4);
  });

  it("runs the http-cve-probing and http-technology-probing filters, which set Meta", () => {
    const cve =
      "evt.Meta.service == 'http' and evt.Meta.log_type in ['http_access-log', 'http_error-log'] and evt.Meta.http_status in ['404', '403'] and any(File(\"cves.json\"), { evt.Meta.http_path contains JsonExtract(#, \"uri\") ? evt.SetMeta(\"cve\", JsonExtract(#, \"cve\")) : false })";
    const evt = httpEvent({ http_path: "/remote/login?x=1" });
    expect(ev(cve, { evt }, opts)).toBe(true);
    expect(evt.Meta.cve).toBe("CVE-2023-2");
    const tech = `if (evt.Meta.service == 'http' and evt.Meta.http_status in ['404', '403']) {
      let target_technology = LookupFile(evt.Meta.http_path, "tech.json");
      target_technology != "" ? evt.SetMeta("target_technology", target_technology) : false
    } else { false }`;
    const probe = httpEvent({ http_path: "/phpmyadmin/index.php" });
    expect(ev(tech, { evt: probe }, opts)).toBe(true);
    expect(probe.Meta.target_technology).toBe("phpmyadmin");
    expect(ev(tech, { evt: httpEvent({ http_status: "200" }) }, opts)).toBe(false);
  });
});

describe("any() over a list: the hoisted fast path agrees with the plain loop", () => {
  const opts = { data: hubData };
  // A frozen list (data file) takes the multi-pattern matcher; a fresh array the loop.
  const forms: [string, string][] = [
    ["any(File('sensitive.txt'), {p endsWith #})", "any(list, {p endsWith #})"],
    ["any(File('sensitive.txt'), {p contains #})", "any(list, {p contains #})"],
    [
      "any(File('sensitive.txt'), {Upper(p) contains Upper(#)})",
      "any(list, {Upper(p) contains Upper(#)})",
    ],
    ["any(File('sensitive.txt'), {p startsWith #})", "any(list, {p startsWith #})"],
    ["any(File('sensitive.txt'), {# == p})", "any(list, {# == p})"],
    ["any(File('sensitive.txt'), {# contains p})", "any(list, {# contains p})"],
  ];
  const inputs = [
    "/app/.env",
    "/.ENV.bak",
    "/x/.git/config",
    ".git/config",
    "id_rsa.pub",
    "/nothing",
    "",
    "i",
  ];
  it.each(forms)("%s", (fast, loop) => {
    const list = [".env", ".git/config", "id_rsa"];
    for (const p of inputs) {
      expect(ev(fast, { p }, opts), `${fast} with ${p}`).toBe(ev(loop, { p, list }));
    }
  });

  it("reports non-string elements and values like the loop does", () => {
    expect(fails("any(list, {p contains #})", { p: "x", list: ["a", 1] })).toContain(
      "string contains int",
    );
    expect(fails("any(list, {p contains #})", { p: 1, list: ["a"] })).toContain(
      "int contains string",
    );
    expect(ev("any(list, {p contains #})", { p: 1, list: [] })).toBe(false);
  });
});
