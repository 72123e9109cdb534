import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Diagnostic, Result } from "../../src/core/diagnostic";
import { type CompiledProfile, loadProfiles } from "../../src/core/profile/index";

function load(text: string, path = "profiles.yaml"): Result<CompiledProfile[]> {
  return loadProfiles([{ path, text }]);
}

function errorsOf(r: Result<unknown>): Diagnostic[] {
  if (r.ok) throw new Error("expected the profiles to be rejected");
  return r.errors;
}

function loaded<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join("\n"));
  return r.value;
}

// CrowdSec's stock /etc/crowdsec/profiles.yaml, as operators have it.
const CROWDSEC_DEFAULT = `name: default_ip_remediation
#debug: true
filters:
 - Alert.Remediation == true && Alert.GetScope() == "Ip"
decisions:
 - type: ban
   duration: 4h
#duration_expr: Sprintf('%dh', (GetDecisionsCount(Alert.GetValue()) + 1) * 4)
on_success: break
---
name: default_range_remediation
#debug: true
filters:
 - Alert.Remediation == true && Alert.GetScope() == "Range"
decisions:
 - type: ban
   duration: 4h
on_success: break
`;

const ONE_FILTER = `filters:\n  - Alert.Remediation == true\n`;

describe("loading profiles", () => {
  it("loads CrowdSec's stock profiles.yaml", () => {
    const profiles = loaded(load(CROWDSEC_DEFAULT));
    expect(profiles.map((p) => p.name)).toEqual([
      "default_ip_remediation",
      "default_range_remediation",
    ]);
    expect(profiles[0]).toMatchObject({
      path: "profiles.yaml#0",
      onSuccess: "break",
      onFailure: "continue",
      ipv6Prefix: 64,
      decisions: [{ type: "ban", duration: 4 * 3_600_000, origin: "palisade" }],
    });
    expect(profiles[0]?.filters).toHaveLength(1);
  });
  it("loads the built-in hub/profiles.yaml without a warning", () => {
    const text = readFileSync(new URL("../../src/hub/profiles.yaml", import.meta.url), "utf8");
    const r = loadProfiles([{ path: "hub/profiles.yaml", text }]);
    expect(r.ok && r.warnings).toEqual([]);
    expect(loaded(r).every((p) => p.onSuccess === "break")).toBe(true);
  });
  it("accepts notifications and custom types with warnings", () => {
    const r = load(
      `name: n\n${ONE_FILTER}decisions:\n  - type: mfa\n    duration: 1h\nnotifications:\n  - slack_default\n`,
    );
    const codes = r.ok ? r.warnings.map((w) => w.code) : [];
    expect(codes).toEqual(["profile.decision.type.custom", "profile.notifications.unsupported"]);
    expect(loaded(r)[0]?.decisions[0]?.type).toBe("mfa");
  });
  it("defaults a missing duration to CrowdSec's 4h, with a warning", () => {
    const r = load(`name: d\n${ONE_FILTER}decisions:\n  - type: ban\n`);
    expect(r.ok && r.warnings.map((w) => w.code)).toEqual(["profile.decision.duration.default"]);
    expect(loaded(r)[0]?.decisions[0]?.duration).toBe(4 * 3_600_000);
  });
  it("drops simulated decisions and normalises scopes", () => {
    const r = load(
      `name: s\n${ONE_FILTER}decisions:\n  - type: ban\n    duration: 1h\n    simulated: true\n  - type: captcha\n    duration: 1h\n    scope: range\n    origin: lists\n`,
    );
    expect(loaded(r)[0]?.decisions).toEqual([
      {
        type: "captcha",
        duration: 3_600_000,
        scope: "Range",
        origin: "palisade/lists",
        path: "profiles.yaml#0:decisions[1]",
      },
    ]);
  });
});

describe("profile diagnostics", () => {
  it("names an unknown key, its line and the known keys", () => {
    const [e, ...rest] = errorsOf(load("name: x\nfilter: Alert.Remediation == true\n"));
    expect(rest).toEqual([]);
    expect(e).toMatchObject({
      code: "profile.key.unknown",
      path: "profiles.yaml#0:filter",
      severity: "error",
    });
    expect(e?.message).toMatch(
      /unknown key "filter" \(line 2\); known keys here: name, debug, filters/,
    );
  });
  it("names an unknown key inside a decision", () => {
    const errs = errorsOf(
      load('name: x\nfilters: ["true"]\ndecisions:\n  - type: ban\n    durattion: 4h\n'),
    );
    expect(errs[0]).toMatchObject({
      code: "profile.key.unknown",
      path: "profiles.yaml#0:decisions[0].durattion",
    });
    expect(errs[0]?.message).toMatch(/line 5.*type, duration, scope, origin, simulated/);
  });
  it("rejects a bad duration, quoting it and showing the fix", () => {
    const errs = errorsOf(
      load('name: x\nfilters: ["true"]\ndecisions:\n  - type: ban\n    duration: 4 hours\n'),
    );
    const e = errs.find((d) => d.path === "profiles.yaml#0:decisions[0].duration");
    expect(e?.message).toMatch(
      /^decisions\[0\]\.duration \(line 5\): duration "4 hours" is not a positive Go duration; write it like "4h"/,
    );
  });
  it("rejects a misspelt decision type with a suggestion", () => {
    const errs = errorsOf(
      load('name: x\nfilters: ["true"]\ndecisions:\n  - type: bna\n    duration: 4h\n'),
    );
    const e = errs.find((d) => d.code === "profile.decision.type");
    expect(e?.path).toBe("profiles.yaml#0:decisions[0].type");
    expect(e?.message).toMatch(/"bna" \(line 4\) is invalid: did you mean "ban"\?/);
    const odd = errorsOf(load('name: x\nfilters: ["true"]\ndecisions:\n  - type: ban now\n'));
    expect(odd.find((d) => d.code === "profile.decision.type")).toBeDefined();
  });
  it("rejects bad on_success and ipv6_prefix values, naming them", () => {
    const errs = errorsOf(load('name: x\nfilters: ["true"]\non_success: brake\nipv6_prefix: 8\n'));
    expect(errs.map((e) => e.path)).toEqual([
      "profiles.yaml#0:on_success",
      "profiles.yaml#0:ipv6_prefix",
    ]);
    expect(errs[0]?.message).toBe(
      'on_success (line 3) is "brake"; expected one of "break", "continue".',
    );
    expect(errs[1]?.message).toMatch(/^ipv6_prefix \(line 4\) is 8: expected number to be >=32/);
  });
  it("reports a bad expression with its column and the YAML line", () => {
    const errs = errorsOf(load("name: x\nfilters:\n  - Alert.Remediation == true &&\n"));
    expect(errs).toHaveLength(1);
    expect(errs[0]?.code).toMatch(/^expr\./);
    expect(errs[0]?.path).toBe("profiles.yaml#0:filters[0]");
    expect(errs[0]?.message).toMatch(/^line 3: .*column \d+/s);
  });
  it("reports a bad duration_expr", () => {
    const errs = errorsOf(load(`name: x\n${ONE_FILTER}duration_expr: Sprintf('%dh', (\n`));
    expect(errs[0]?.path).toBe("profiles.yaml#0:duration_expr");
    expect(errs[0]?.message).toMatch(/^line 4: /);
  });
  it("reports YAML syntax errors and an empty file", () => {
    const syntax = errorsOf(load("name: [x\n"));
    expect(syntax[0]).toMatchObject({ code: "profile.yaml", path: "profiles.yaml#0" });
    expect(syntax[0]?.message).toMatch(/line \d+, column \d+/);
    expect(errorsOf(load("# nothing\n"))[0]?.code).toBe("profile.none");
  });
  it("collects errors from every document and file", () => {
    const r = loadProfiles([
      { path: "a.yaml", text: "name: a\nfiltres: []\n---\nname: b\non_failure: stop\n" },
      { path: "b.yaml", text: "name: c\ndecisions: {}\n" },
    ]);
    expect(errorsOf(r).map((e) => e.path)).toEqual([
      "a.yaml#0:filtres",
      "a.yaml#1:on_failure",
      "b.yaml#0:decisions",
    ]);
  });
});
