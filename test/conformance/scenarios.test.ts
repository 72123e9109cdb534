import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, normalize } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Alert } from "../../src/core/alert";
import { BucketEngine } from "../../src/core/bucket/engine";
import { dataStoreFrom } from "../../src/core/data";
import { parserFor } from "../../src/core/parser/index";
import { lintScenarios, loadScenarios } from "../../src/core/scenario/load";
import {
  corpusPresent,
  type HubCase,
  hubDataDir,
  hubRulesDir,
  hubTestsDir,
  loadHubCases,
} from "./corpus";
import { familyOf, unsupportedCases } from "./exceptions";
import { compareAlerts, readScenarioAssert } from "./scenario-assert";

// CrowdSec assumes the current year for yearless syslog lines; the hub asserts were
// generated in 2026, so the tier pins "now" instead of reading a clock.
const NOW = Date.UTC(2026, 10, 27);

/**
 * Scenario cases Palisade does not run, each with its reason (on top of the lead's
 * exceptions.ts). Corpus-gap exceptions carry a check, run below: when the corpus is
 * fixed the check fails and the exception must go.
 */
const notRunnable: Record<
  string,
  { reason: string; needsData?: string; stillTrue?: () => boolean }
> = {
  "sshd-impossible-travel": {
    reason:
      "needs GeoIP enrichment (evt.Enriched.Latitude/Longitude); Palisade does no GeoIP lookups.",
  },
  "sshd-impossible-travel-user": {
    reason:
      "needs GeoIP enrichment (evt.Enriched.Latitude/Longitude); Palisade does no GeoIP lookups.",
  },
  "ipv6-postoverflow": {
    reason:
      "asserts the ipv6_to_range postoverflow (IPv6 source widened to a /64 Range alert); Palisade runs no postoverflow stage, ranges are the decision layer's business.",
  },
  "http-admin-interface-probing": {
    reason:
      "the corpus data (crowdsec 1.4.6) lacks admin_interfaces.txt, which the scenario reads.",
    needsData: "admin_interfaces.txt",
  },
  "http-cve-probing": {
    reason:
      "the corpus data (crowdsec 1.4.6) lacks trendy_cves_uris.json, which the scenario reads.",
    needsData: "trendy_cves_uris.json",
  },
  "CVE-2025-0108": {
    reason: "runs http-cve-probing, whose trendy_cves_uris.json the corpus data lacks.",
    needsData: "trendy_cves_uris.json",
  },
  "thinkphp-cve-2018-20062": {
    reason:
      "the corpus data (crowdsec 1.4.6) thinkphp_cve_2018-20062.txt has upper-case %5C patterns, but the hub scenario matches them against Lower(http_path); with the list lower-cased all 8 expected alerts come out.",
    stillTrue: () =>
      readFileSync(join(hubDataDir, "thinkphp_cve_2018-20062.txt"), "utf8").includes("%5C"),
  },
  "http-technology-probing": {
    reason:
      "the corpus data (crowdsec 1.4.6) lacks technology_probing.json, which the scenario reads.",
    needsData: "technology_probing.json",
  },
};

const cases = loadHubCases().filter((c) => c.scenarioAssert.length > 0 && c.scenarios.length > 0);
const tally = new Map<string, { pass: number; total: number }>();
const failures: string[] = [];

function count(family: string, passed: boolean): void {
  const t = tally.get(family) ?? { pass: 0, total: 0 };
  t.total++;
  if (passed) t.pass++;
  tally.set(family, t);
}

/** `http` or `ssh`, from the scenarios a case loads. */
function scenarioFamily(c: HubCase): string {
  return c.scenarios.some((s) => s.includes("ssh"))
    ? "ssh"
    : c.logType === "syslog"
      ? "other"
      : "http";
}

function scenarioPath(name: string): string {
  const rel = name.endsWith(".yaml") ? name : `scenarios/${name}.yaml`;
  return join(hubRulesDir, normalize(rel));
}

const dataStore = corpusPresent
  ? dataStoreFrom(
      Object.fromEntries(
        readdirSync(hubDataDir).map((f) => [f, readFileSync(join(hubDataDir, f), "utf8")]),
      ),
    )
  : undefined;

function runCase(c: HubCase): Alert[] {
  const files = c.scenarios.map((s) => ({
    path: scenarioPath(s),
    text: readFileSync(scenarioPath(s), "utf8"),
  }));
  const loaded = loadScenarios(files, dataStore ? { data: dataStore } : {});
  if (!loaded.ok) {
    throw new Error(
      `scenarios did not load:\n${loaded.errors.map((e) => `${e.path}: ${e.message}`).join("\n")}`,
    );
  }
  const parser = parserFor(c.logType);
  if (!parser) throw new Error(`no parser for type ${c.logType}`);
  const engine = new BucketEngine(loaded.value);
  // hubtest runs CrowdSec from the test's folder, so datasource_path is the bare file name
  // (older asserts compare it without basename()).
  const origin = { src: c.logFile, module: "file", labels: { type: c.logType } };
  const alerts: Alert[] = [];
  for (const line of c.lines) {
    const event = parser.parse(line, origin, { now: NOW });
    if (event) alerts.push(...engine.process(event));
  }
  return alerts;
}

describe.skipIf(!corpusPresent)("hub scenario.assert conformance", () => {
  for (const c of cases) {
    const reason = unsupportedCases[c.name] ?? notRunnable[c.name]?.reason;
    if (reason) {
      it.skip(`${c.name}: not supported: ${reason}`, () => {});
      continue;
    }
    it(`${familyOf(c.logType)}/${scenarioFamily(c)}: ${c.name}`, () => {
      let problems: string[];
      try {
        problems = compareAlerts(readScenarioAssert(c.scenarioAssert), runCase(c));
      } catch (e) {
        problems = [e instanceof Error ? e.message : String(e)];
      }
      const passed = problems.length === 0;
      count(familyOf(c.logType), passed);
      count(scenarioFamily(c), passed);
      if (!passed) failures.push(`${c.name}: ${problems[0]}`);
      expect(problems, problems.slice(0, 20).join("\n")).toEqual([]);
    });
  }

  it("accepts the structure of every hub scenario file", () => {
    const root = join(hubRulesDir, "scenarios");
    const files = readdirSync(root, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => ({ path: f, text: readFileSync(join(root, f), "utf8") }));
    // Expressions are the interpreter's tier; here every one compiles, so only the loader speaks.
    const compile = (source: string) => ({
      ok: true as const,
      value: { source, run: () => true },
      warnings: [],
    });
    const problems = lintScenarios(files, dataStore ? { data: dataStore, compile } : { compile })
      .filter((d) => d.severity === "error")
      .filter((d) => d.code !== "scenario.data.missing")
      .map((d) => `${d.path}: ${d.message}`);
    expect(files.length).toBeGreaterThan(200);
    expect(problems).toEqual([]);
  });

  it("lists only exceptions that still hold (data files really absent)", () => {
    for (const [name, x] of Object.entries(notRunnable)) {
      expect(
        cases.some((c) => c.name === name),
        `${name} is no longer a scenario case`,
      ).toBe(true);
      if (x.needsData) {
        expect(
          existsSync(join(hubDataDir, x.needsData)),
          `${x.needsData} is now in the corpus`,
        ).toBe(false);
      }
      if (x.stillTrue) expect(x.stillTrue(), `${name}: the corpus gap is fixed`).toBe(true);
    }
  });

  afterAll(() => {
    const rows = [...tally.entries()].map(([f, t]) => `  ${f}: ${t.pass}/${t.total}`);
    const skipped = cases
      .map((c) => [c.name, unsupportedCases[c.name] ?? notRunnable[c.name]?.reason] as const)
      .filter(([, r]) => r)
      .map(([n, r]) => `  ${n}: ${r}`);
    console.log(
      `scenario conformance (hub scenario.assert), by log family and scenario family:\n${rows.join("\n")}\nnot supported:\n${skipped.join("\n")}\nfailing:\n${failures.map((f) => `  ${f.slice(0, 300)}`).join("\n")}`,
    );
  });
});

if (!corpusPresent) {
  describe("hub scenario.assert conformance", () => {
    it.skip(`SKIPPED: corpus not found at ${hubTestsDir}; the conformance tier needs ../shared/corpus`, () => {});
  });
}
