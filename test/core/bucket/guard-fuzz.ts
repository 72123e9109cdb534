// Fuzzed events for the guard tests, built from the scenarios' own literals: the fields
// the guards read, filled with the values and literals the guards look for, in mixed
// case, percent-encoded, surrounded by noise and by the non-ASCII characters that case
// mappings turn into ASCII (ſ → S, ı → I, K → k, İ → i).
import fc from "fast-check";
import type { Event } from "../../../src/core/event";
import type { GuardAtom, SubjectPath } from "../../../src/core/expr/index";
import type { CompiledScenario } from "../../../src/core/scenario/index";

interface Vocabulary {
  /** Field paths (after `evt`) some guard reads. */
  fields: string[][];
  /** Per field: the literals and equality values the guards look for in it. */
  own: string[][];
  /** Every literal and equality value, for noise. */
  words: string[];
}

function atomsOf(scenarios: readonly CompiledScenario[]): GuardAtom[] {
  return scenarios.flatMap((s) => s.filter.guard?.clauses.flat() ?? []);
}

function pathOf(atom: GuardAtom): SubjectPath | undefined {
  return atom.subject.path ?? atom.subject.derived?.base;
}

export function vocabulary(scenarios: readonly CompiledScenario[]): Vocabulary {
  const fields = new Map<string, { keys: string[]; own: Set<string> }>();
  const words = new Set<string>();
  for (const atom of atomsOf(scenarios)) {
    const word = atom.kind === "text" ? atom.literal : String(atom.value);
    words.add(word);
    const path = pathOf(atom);
    if (!path) continue;
    const sig = JSON.stringify(path.keys);
    const f = fields.get(sig) ?? { keys: [...path.keys], own: new Set<string>() };
    f.own.add(word);
    fields.set(sig, f);
  }
  const list = [...fields.values()];
  return { fields: list.map((f) => f.keys), own: list.map((f) => [...f.own]), words: [...words] };
}

const NOISE = [
  "/",
  "?",
  "&",
  "=",
  "%",
  "%2",
  "+",
  " ",
  "ſ",
  "ı",
  "\u212a",
  "\u0130",
  "é",
  "A",
  "z",
  "0",
];

function percentEncode(s: string, upperHex: boolean): string {
  return [...s]
    .map((c) => {
      const code = c.charCodeAt(0);
      const hex = code.toString(16).padStart(2, "0");
      return code < 128 && /[^a-z0-9]/i.test(c) ? `%${upperHex ? hex.toUpperCase() : hex}` : c;
    })
    .join("");
}

/** Letters whose Go case mapping (or RE2 case folding) is an ASCII letter. */
const UNICODE_TWINS: Record<string, string> = { s: "ſ", i: "ı", k: "\u212a", I: "\u0130" };

function recase(s: string, mode: number, seed: number): string {
  if (mode === 0) return s;
  if (mode === 1) return s.toUpperCase();
  if (mode === 2) return s.toLowerCase();
  if (mode === 3) return [...s].map((c) => UNICODE_TWINS[c] ?? c).join("");
  return [...s].map((c, i) => ((i + seed) % 2 === 0 ? c.toUpperCase() : c)).join("");
}

function pieceArb(words: readonly string[]): fc.Arbitrary<string> {
  const word = fc.constantFrom(...(words.length > 0 ? words : ["x"]));
  const transformed = fc
    .record({ w: word, mode: fc.nat(3), seed: fc.nat(7), enc: fc.nat(3) })
    .map(({ w, mode, seed, enc }) => {
      const cased = recase(w, mode, seed);
      return enc === 0 ? percentEncode(cased, seed % 2 === 0) : cased;
    });
  return fc.oneof(
    { weight: 3, arbitrary: transformed },
    { weight: 1, arbitrary: fc.constantFrom(...NOISE) },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  );
}

/** A field's value: mostly made of what the guards look for in that very field. */
function valueArb(own: readonly string[], words: readonly string[]): fc.Arbitrary<string> {
  const mine = own.length > 0 ? own : words;
  return fc.oneof(
    fc.constantFrom(...mine),
    fc.array(pieceArb(mine), { maxLength: 4 }).map((ps) => ps.join("")),
    fc.array(pieceArb(words), { maxLength: 3 }).map((ps) => ps.join("")),
  );
}

function setPath(evt: Record<string, unknown>, keys: readonly string[], value: string): void {
  let o = evt;
  for (const k of keys.slice(0, -1)) {
    const next = o[k];
    if (typeof next !== "object" || next === null) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1] as string] = value;
}

/** Events whose guarded fields are each absent or set from the vocabulary. */
export function eventArb(v: Vocabulary): fc.Arbitrary<Event> {
  const fields = v.fields.map((_, i) =>
    fc.option(valueArb(v.own[i] ?? [], v.words), { nil: undefined, freq: 4 }),
  );
  return fc.tuple(...fields).map((values) => {
    const evt: Record<string, unknown> = {
      Line: { Raw: "fuzz", Src: "-", Labels: { type: "nginx" }, Module: "file" },
      Parsed: {},
      Meta: {},
      Enriched: {},
      Unmarshaled: {},
      Time: Date.UTC(2024, 0, 1),
      Whitelisted: false,
    };
    v.fields.forEach((keys, i) => {
      const value = values[i];
      if (value !== undefined) setPath(evt, keys, value);
    });
    return evt as unknown as Event;
  });
}
