import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../../src/core/diagnostic";
import type { LineOrigin } from "../../../src/core/event";
import { compileCustomParser, parseTime } from "../../../src/core/parser/custom";
import type { LogParser } from "../../../src/core/parser/types";

const PATH = "parsers/myapp.yaml";
const origin: LineOrigin = { src: "/var/log/myapp.log", module: "file", labels: { type: "myapp" } };
const yamlText = readFileSync(
  new URL("../../fixtures/parser/syslog/custom-myapp.yaml", import.meta.url),
  "utf8",
);

function compiled(text: string): LogParser {
  const r = compileCustomParser(text, PATH);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join("\n"));
  return r.value;
}

function errorsOf(text: string): Diagnostic[] {
  const r = compileCustomParser(text, PATH);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.errors;
}

describe("custom parser: compiling and parsing", () => {
  const parser = compiled(yamlText);

  it("parses a matching line into Meta, Parsed and time", () => {
    const line =
      '2024-05-01T10:00:00.250+02:00 [auth] login failed for user=admin ip=198.51.100.4 reason="bad password"';
    const e = parser.parse(line, origin, { now: 0 });
    expect(parser.type).toBe("myapp");
    expect(e?.Meta).toEqual({
      source_ip: "198.51.100.4",
      log_type: "myapp_failed-auth",
      service: "myapp",
      target_user: "admin",
      datasource_path: "/var/log/myapp.log",
      datasource_type: "file",
      timestamp: "2024-05-01T10:00:00.25+02:00",
    });
    expect(e?.Parsed).toMatchObject({
      ts: "2024-05-01T10:00:00.250+02:00",
      user: "admin",
      ip: "198.51.100.4",
      reason: "bad password",
      reason_text: "bad password",
      program: "myapp",
      message: line,
    });
    expect(e?.Time).toBe(Date.UTC(2024, 4, 1, 8, 0, 0, 250));
    expect(e?.Enriched.MarshaledTime).toBe("2024-05-01T10:00:00.25+02:00");
  });

  it("leaves unmatched lines, bad times and non-IP sources unparsed", () => {
    expect(parser.parse("something else", origin, { now: 0 })).toBeNull();
    expect(
      parser.parse("2024-13-01T10:00:00Z [auth] login failed for user=a ip=198.51.100.4", origin, {
        now: 0,
      }),
    ).toBeNull();
    expect(
      parser.parse("2024-05-01T10:00:00Z [auth] login failed for user=a ip=not-an-ip", origin, {
        now: 0,
      }),
    ).toBeNull();
    const empty = parser.parse(
      "2024-05-01T10:00:00Z [auth] login failed for user= ip=2001:db8::7",
      origin,
      { now: 0 },
    );
    expect(empty?.Meta.source_ip).toBe("2001:db8::7");
    expect(empty?.Meta.target_user).toBeUndefined(); // empty statics are skipped, as in CrowdSec
  });

  it("uses opts.now when no timestamp is declared", () => {
    const p = compiled(
      "type: plain\npattern: '^(?<ip>\\S+) hit$'\nstatics:\n  - {target: meta.source_ip, group: ip}\n",
    );
    expect(p.parse("192.0.2.1 hit", origin, { now: 1234 })?.Time).toBe(1234);
    expect(p.parse("192.0.2.1 hit", origin, { now: 1234 })?.Enriched.MarshaledTime).toBeUndefined();
  });

  it("reads every documented time format", () => {
    const opts = { now: Date.UTC(2026, 5, 1), timezone: "UTC" };
    expect(parseTime("2024-05-01T10:00:00Z", "rfc3339", opts)?.marshaled).toBe(
      "2024-05-01T10:00:00Z",
    );
    expect(
      parseTime("2024-05-01 10:00:00", "rfc3339", { ...opts, timezone: "Europe/Paris" })?.marshaled,
    ).toBe("2024-05-01T10:00:00+02:00");
    expect(parseTime("01/May/2024:10:00:00 -0700", "clf", opts)?.ms).toBe(Date.UTC(2024, 4, 1, 17));
    expect(parseTime("May  1 10:00:00", "syslog", opts)?.marshaled).toBe("2026-05-01T10:00:00Z");
    expect(parseTime("1714557600", "unix", opts)?.marshaled).toBe("2024-05-01T10:00:00Z");
    expect(parseTime("1714557600.5", "unix", opts)?.ms).toBe(1714557600500);
    expect(parseTime("1714557600123", "unix_ms", opts)?.marshaled).toBe("2024-05-01T10:00:00.123Z");
    for (const [text, format] of [
      ["2024-05-01", "rfc3339"],
      ["01/Foo/2024:10:00:00 -0700", "clf"],
      ["May 32 10:00:00", "syslog"],
      ["-1", "unix"],
      ["12.5", "unix_ms"],
    ] as const) {
      expect(parseTime(text, format, opts)).toBeUndefined();
    }
  });

  it("runs the pattern on RE2: a hostile line cannot make it backtrack", () => {
    const p = compiled("type: redos\npattern: '^(?P<a>a+)+$'\n");
    expect(p.parse(`${"a".repeat(50_000)}!`, origin, { now: 0 })).toBeNull();
  });
});

describe("custom parser: diagnostics", () => {
  it("rejects unknown keys, naming the file, the field and the known keys", () => {
    const [d, ...rest] = errorsOf(`${yamlText}\nstatic: []\n`);
    expect(rest).toEqual([]);
    expect(d?.code).toBe("custom-parser.key.unknown");
    expect(d?.path).toBe(`${PATH}#0:static`);
    expect(d?.message).toMatch(
      /unknown key "static" \(line \d+\); known keys here: type, pattern, timestamp, statics/,
    );
    const [s] = errorsOf(
      "type: a\npattern: '(?P<ip>x)'\nstatics:\n  - {target: meta.source_ip, grup: ip}\n",
    );
    expect(s?.path).toBe(`${PATH}#0:statics[0].grup`);
    expect(s?.message).toContain("target, group, value");
  });

  it("reports wrong types, missing fields and bad enum values", () => {
    const codes = errorsOf("type: 12\ntimestamp: {group: ts, format: iso}\n");
    expect(codes.map((d) => d.path)).toEqual([
      `${PATH}#0:type`,
      `${PATH}#0:pattern`,
      `${PATH}#0:timestamp.format`,
    ]);
    expect(codes[1]?.message).toContain("is required");
    expect(codes[2]?.message).toContain('"rfc3339", "clf", "syslog", "unix", "unix_ms"');
  });

  it("reports a pattern RE2 cannot compile, and one without named groups", () => {
    const [bad] = errorsOf("type: a\npattern: '(?<ip>x'\n");
    expect(bad?.code).toBe("regex.syntax");
    expect(bad?.path).toBe(`${PATH}#0:pattern`);
    const [look] = errorsOf("type: a\npattern: '(?=x)(?P<ip>y)'\n");
    expect(look?.message).toContain("RE2 syntax");
    const [none] = errorsOf("type: a\npattern: 'plain (x) text'\n");
    expect(none?.code).toBe("custom-parser.pattern.groups");
  });

  it("checks group references, targets and static sources", () => {
    const ds = errorsOf(
      [
        "type: a",
        "pattern: '(?P<ip>\\S+) \\(?P<fake>\\) [(?P<cls>)]'",
        "timestamp: {group: when, format: unix}",
        "statics:",
        "  - {target: meta.source_ip, group: fake}",
        "  - {target: evt.Meta.x, value: y}",
        "  - {target: meta.log_type}",
        "  - {target: meta.log_type, value: a, group: ip}",
        "  - {target: meta.log_type, value: ''}",
      ].join("\n"),
    );
    expect(ds.map((d) => [d.code, d.path])).toEqual([
      ["custom-parser.group.unknown", `${PATH}#0:timestamp.group`],
      ["custom-parser.group.unknown", `${PATH}#0:statics[0].group`],
      ["custom-parser.target.invalid", `${PATH}#0:statics[1].target`],
      ["custom-parser.static.source", `${PATH}#0:statics[2]`],
      ["custom-parser.static.source", `${PATH}#0:statics[3]`],
      ["custom-parser.static.empty", `${PATH}#0:statics[4].value`],
    ]);
    expect(ds[0]?.message).toContain('it has "ip"');
  });

  it("refuses built-in type names, bad YAML and several documents", () => {
    expect(errorsOf("type: nginx\npattern: '(?P<ip>x)'\n")[0]?.code).toBe(
      "custom-parser.type.builtin",
    );
    expect(errorsOf("type: 'a b'\npattern: '(?P<ip>x)'\n")[0]?.code).toBe(
      "custom-parser.type.invalid",
    );
    expect(errorsOf("type: [a\n")[0]?.message).toMatch(/invalid YAML \(line \d+, column \d+\)/);
    expect(
      errorsOf("type: a\npattern: '(?P<ip>x)'\n---\ntype: b\npattern: '(?P<ip>x)'\n")[0]?.code,
    ).toBe("custom-parser.documents");
    expect(errorsOf("")[0]?.message).toContain("is empty");
    expect(errorsOf("- a\n- b\n")[0]?.path).toBe(`${PATH}#0`);
  });

  it("warns when no static sets meta.source_ip", () => {
    const r = compileCustomParser("type: a\npattern: '(?P<ip>x)'\n", PATH);
    expect(r.ok && r.warnings.map((w) => w.code)).toEqual(["custom-parser.source_ip.missing"]);
  });
});
