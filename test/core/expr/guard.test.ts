import { describe, expect, it } from "vitest";
import { dataStoreFrom } from "../../../src/core/data";
import type { ExprGuard, GuardAtom } from "../../../src/core/expr";
import { compiled } from "./support";

// Guards as text: one line per clause, its atoms joined by " | ".
function atomText(a: GuardAtom): string {
  if (a.kind === "eq") return `${a.subject.key} == ${JSON.stringify(a.value)}`;
  return `${a.subject.key} ~ ${JSON.stringify(a.literal)}${a.fold ? " (fold)" : ""}`;
}

function show(guard: ExprGuard | undefined): string[] | undefined {
  return guard?.clauses.map((c) => c.map(atomText).join(" | "));
}

const data = dataStoreFrom({
  "words.txt": "# comment\n/etc/passwd\n../\n",
  "ua.txt": "\\bsqlmap\\b\n(?i)nikto\n",
  "loose.txt": "sqlmap\n.*\n",
});
const guardOf = (src: string) => show(compiled(src, { data, names: ["evt"] }).guard);
const PATH = 'evt["Meta"]["http_path"]';

describe("guards: necessary conditions derived from a filter", () => {
  it("keeps every clause of a conjunction and every value of `in`", () => {
    expect(
      guardOf("evt.Meta.log_type == 'http_access-log' && evt.Parsed.verb in ['GET', 'HEAD']"),
    ).toEqual([
      'evt["Meta"]["log_type"] == "http_access-log"',
      'evt["Parsed"]["verb"] == "GET" | evt["Parsed"]["verb"] == "HEAD"',
    ]);
  });

  it("tests Upper(x) contains L on x, ignoring case, with Unicode folding in doubt", () => {
    expect(guardOf("Upper(evt.Meta.http_path) contains Upper('/vendor/X')")).toEqual([
      `${PATH} ~ "/vendor/x" (fold)`,
    ]);
    expect(guardOf("evt.Meta.http_path startsWith '/Admin'")).toEqual([`${PATH} ~ "/admin"`]);
  });

  it("compares a computed subject for equality exactly", () => {
    expect(guardOf("Upper(evt.Meta.http_verb) == 'POST'")).toEqual([
      'Upper(evt["Meta"]["http_verb"]) == "POST"',
    ]);
  });

  it("pairs the clauses of a disjunction, and gives up when a side has none", () => {
    expect(guardOf("evt.Meta.a == 'x' || evt.Meta.b contains 'yy'")).toEqual([
      'evt["Meta"]["a"] == "x" | evt["Meta"]["b"] ~ "yy"',
    ]);
    expect(guardOf("evt.Meta.a == 'x' || not (evt.Meta.b == 'y')")).toBeUndefined();
  });

  it("uses the literal every match of a regex needs, and flags (?i)", () => {
    expect(guardOf("evt.Meta.http_path matches '^/api/v[0-9]+/users/me'")).toEqual([
      `${PATH} ~ "/users/me"`,
    ]);
    expect(guardOf("evt.Meta.http_path matches '(?i)/admin'")).toEqual([
      `${PATH} ~ "/admin" (fold)`,
    ]);
    expect(guardOf("evt.Meta.http_path matches '.*'")).toBeUndefined();
  });

  it("turns any(File(...), {X op #}) into one atom per line", () => {
    expect(guardOf("any(File('words.txt'), {evt.Meta.http_path contains #})")).toEqual([
      `${PATH} ~ "/etc/passwd" | ${PATH} ~ "../"`,
    ]);
    expect(guardOf("any(File('words.txt'), {evt.Parsed.file_name == Upper(#)})")).toEqual([
      'evt["Parsed"]["file_name"] == "/ETC/PASSWD" | evt["Parsed"]["file_name"] == "../"',
    ]);
  });

  it("an empty list can never match: an empty clause", () => {
    expect(guardOf("any(File('absent.txt'), {evt.Meta.http_path contains #})")).toEqual([""]);
  });

  it("RegexpInFile needs a literal from every line", () => {
    expect(guardOf("RegexpInFile(evt.Parsed.http_user_agent, 'ua.txt')")).toEqual([
      'evt["Parsed"]["http_user_agent"] ~ "sqlmap" | evt["Parsed"]["http_user_agent"] ~ "nikto" (fold)',
    ]);
    expect(guardOf("RegexpInFile(evt.Parsed.http_user_agent, 'loose.txt')")).toBeUndefined();
  });

  it("gives nothing for what is not a pure expression of the event", () => {
    expect(guardOf("JsonExtract(evt.Line.Raw, 'a') == 'b'")).toBeUndefined();
    expect(guardOf("let p = evt.Meta.http_path; p contains '/x'")).toBeUndefined();
    expect(guardOf("evt.Meta.http_path contains ''")).toBeUndefined();
    const hosted = compiled("Upper(evt.Meta.http_path) contains 'X'", {
      names: ["evt"],
      functions: { Upper: { minArgs: 1, maxArgs: 1, call: () => "X" } },
    });
    expect(hosted.guard).toBeUndefined();
  });
});

describe("effects: whether a run may modify its inputs", () => {
  it.each([
    ["evt.Meta.log_type == 'x'", false],
    ["Upper(evt.Meta.http_path) contains 'A' && evt.GetMeta('x') == ''", false],
    ["evt.SetMeta('a', 'b')", true],
    ["any([1], {evt.SetParsed('a', 'b')})", true],
    ["UnmarshalJSON(evt.Line.Raw, evt.Unmarshaled, 'x') == ''", true],
  ])("%s → %s", (src, effects) => {
    expect(compiled(src, { names: ["evt"] }).effects).toBe(effects);
  });

  it("a host function may do anything", () => {
    const f = compiled("Count() > 1", {
      functions: { Count: { minArgs: 0, maxArgs: 0, call: () => 2 } },
    });
    expect(f.effects).toBe(true);
  });
});
