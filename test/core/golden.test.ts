// Golden cases as data: every folder of test/golden with a case.yaml is replayed through
// the built-in pack and its alerts compared with expected.jsonl (see test/golden/README.md).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { parserFor } from "../../src/core/parser/index";
import { Replay } from "../../src/core/replay";
import { loadHubPack } from "../../src/hub/index";

const goldenDir = fileURLToPath(new URL("../golden", import.meta.url));
const cases = readdirSync(goldenDir).filter((d) => existsSync(join(goldenDir, d, "case.yaml")));

// The pack loads exactly as the Worker loads it; a failure to load throws here, failing the file.
const pack = loadHubPack();

interface CaseSpec {
  type: string;
  year?: number;
  scenarios?: string[];
}

interface Expected {
  scenario: string;
  source_ip: string;
  events_count?: number;
}

describe("built-in pack golden cases", () => {
  it("the pack, profiles and allowlist load", () => {
    expect(pack.scenarios.length).toBeGreaterThan(20);
    expect(pack.profiles.length).toBeGreaterThan(0);
    expect(pack.allowlist.size).toBeGreaterThan(0);
  });

  it("there are golden cases to walk", () => {
    expect(cases.length).toBeGreaterThan(10);
  });

  for (const name of cases) {
    it(name, () => {
      const dir = join(goldenDir, name);
      const spec = parseYaml(readFileSync(join(dir, "case.yaml"), "utf8")) as CaseSpec;
      const parser = parserFor(spec.type);
      if (!parser) throw new Error(`case ${name}: unknown type ${spec.type}`);
      const scenarios = spec.scenarios
        ? pack.scenarios.filter((s) => spec.scenarios?.includes(s.name))
        : pack.scenarios;
      expect(scenarios.length).toBe(spec.scenarios?.length ?? pack.scenarios.length);
      const replay = new Replay({
        parser,
        parseOptions: { now: Date.UTC(2026, 10, 27), ...(spec.year ? { year: spec.year } : {}) },
        scenarios,
        profiles: pack.profiles,
        allowlist: pack.allowlist,
      });
      const origin = { src: "input.log", module: "file", labels: { type: spec.type } };
      for (const line of readFileSync(join(dir, "input.log"), "utf8").split("\n")) {
        if (line !== "") replay.line(line, origin);
      }
      const expected = readFileSync(join(dir, "expected.jsonl"), "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Expected);
      const key = (e: Expected) => `${e.scenario} ${e.source_ip}`;
      const actual = replay.results().map((o) => ({
        scenario: o.alert.scenario,
        source_ip: o.alert.source.value,
        events_count: o.alert.events_count,
      }));
      expect(actual.map(key).sort()).toEqual(expected.map(key).sort());
      for (const e of expected) {
        if (e.events_count === undefined) continue;
        expect(actual.find((a) => key(a) === key(e))?.events_count, key(e)).toBe(e.events_count);
      }
    });
  }
});
