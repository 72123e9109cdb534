import { afterAll, describe, expect, it } from "vitest";
import type { Event } from "../../src/core/event";
import { parserFor } from "../../src/core/parser/index";
import { corpusPresent, hubTestsDir, loadHubCases } from "./corpus";
import { familyOf, ignoredFields, unsupportedCases } from "./exceptions";
import { checkField, readParserAssert } from "./parser-assert";

// CrowdSec assumes the current year for yearless syslog lines; the hub asserts were
// regenerated in 2026, so the conformance tier pins the year instead of reading a clock.
const NOW = Date.UTC(2026, 10, 27);
const tally = new Map<string, { pass: number; total: number }>();

const cases = loadHubCases().filter((c) => c.parserAssert.length > 0 && !c.ignoreParsers);

describe.skipIf(!corpusPresent)("hub parser.assert conformance", () => {
  for (const c of cases) {
    const reason = unsupportedCases[c.name];
    if (reason) {
      it.skip(`${c.name}: not supported: ${reason}`, () => {});
      continue;
    }
    it(`${familyOf(c.logType)}: ${c.name}`, () => {
      const family = familyOf(c.logType);
      const t = tally.get(family) ?? { pass: 0, total: 0 };
      tally.set(family, t);
      t.total++;
      const parser = parserFor(c.logType);
      expect(parser, `no parser for type ${c.logType}`).toBeDefined();
      const problems: string[] = [];
      const expectations = readParserAssert(c.parserAssert, c.lines.length);
      c.lines.forEach((line, i) => {
        const exp = expectations[i];
        const evt = parser?.parse(
          line,
          {
            src: c.logFile,
            module: "file",
            labels: { type: c.logType },
          },
          { now: NOW },
        );
        if (!exp) return;
        // A syslog line is an event once its frame parses (program parsers only add the
        // log_type scenarios match on); other types are events once their s01 node parses.
        const want = c.logType === "syslog" ? exp.framed : exp.parsed;
        if (want !== undefined && (evt !== null) !== want) {
          problems.push(
            `line ${i + 1}: expected ${want ? "parsed" : "unparsed"}: ${line.slice(0, 120)}`,
          );
          return;
        }
        if (!evt) return;
        if (c.logType === "syslog" && exp.parsed === false && evt.Meta.log_type !== undefined) {
          problems.push(
            `line ${i + 1}: no hub s01 node reads it, yet it got log_type ${evt.Meta.log_type}`,
          );
        }
        const ignored = ignoredFields[c.name]?.fields ?? [];
        for (const check of exp.fields.values()) {
          const field = check.path.join(".");
          if (ignored.some((f) => field === f || field.startsWith(`${f}.`))) continue;
          const p = checkField(evt as unknown as Record<string, unknown>, check);
          if (p) problems.push(`line ${i + 1}: ${p}`);
        }
      });
      expect(problems, problems.slice(0, 30).join("\n")).toEqual([]);
      t.pass++;
    });
  }
  afterAll(() => {
    const rows = [...tally.entries()].map(([f, t]) => `  ${f}: ${t.pass}/${t.total}`);
    const skipped = cases
      .filter((c) => unsupportedCases[c.name])
      .map((c) => `  ${c.name}: ${unsupportedCases[c.name]}`);
    const partial = Object.entries(ignoredFields).map(
      ([n, x]) => `  ${n}: ${x.fields.join(", ")} not compared: ${x.reason}`,
    );
    console.log(
      `parser conformance (hub parser.assert):\n${rows.join("\n")}\nnot supported:\n${skipped.join("\n")}\nfields not compared:\n${partial.join("\n")}`,
    );
  });
});

if (!corpusPresent) {
  describe("hub parser.assert conformance", () => {
    it.skip(`SKIPPED: corpus not found at ${hubTestsDir}; the conformance tier needs ../shared/corpus`, () => {});
  });
}

export type { Event };
