import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parserFor } from "../../../src/core/parser/index";

// 10,000 real Apache combined lines (elastic/examples), read from ../shared/corpus.
const FILE = resolve(import.meta.dirname, "../../../../shared/corpus/elastic-examples/apache_logs");
const present = existsSync(FILE);

function run(type: string): { unparsed: number[]; parsed: number } {
  const lines = readFileSync(FILE, "utf8").split("\n");
  if (lines.at(-1) === "") lines.pop();
  const parser = parserFor(type);
  if (!parser) throw new Error(`no ${type} parser`);
  const origin = { src: FILE, module: "file", labels: { type } };
  const unparsed: number[] = [];
  lines.forEach((line, i) => {
    if (!parser.parse(line, origin, { now: Date.UTC(2026, 10, 27) })) unparsed.push(i + 1);
  });
  return { unparsed, parsed: lines.length - unparsed.length };
}

describe.skipIf(!present)("elastic/examples apache_logs (10,000 real lines)", () => {
  it("parses every line as apache2, the unterminated agent quote of line 8,899 included", () => {
    const { unparsed, parsed } = run("apache2");
    expect(unparsed).toEqual([]);
    expect(parsed).toBe(10_000);
    const line = readFileSync(FILE, "utf8").split("\n")[8898] as string;
    const e = parserFor("apache2")?.parse(
      line,
      { src: FILE, module: "file", labels: { type: "apache2" } },
      { now: 0 },
    );
    // CrowdSec's optional `( "referrer" "agent")?` group needs the closing quote: both stay empty
    expect(e?.Parsed).toMatchObject({
      clientip: "46.118.127.106",
      referrer: "",
      http_user_agent: "",
    });
    expect(e?.Meta.http_user_agent).toBeUndefined();
  });

  it("as nginx, leaves unparsed the '-' byte counts (nginx's grok wants a number) and line 8,899", () => {
    const lines = readFileSync(FILE, "utf8").split("\n");
    const { unparsed } = run("nginx");
    const dashBytes = lines.flatMap((l, i) => (/" \d{3} - "/.test(l) ? [i + 1] : []));
    expect(dashBytes.length).toBe(669);
    // nginx's pattern needs the agent's closing quote
    expect(unparsed).toEqual([...dashBytes, 8899].sort((a, b) => a - b));
  });
});
