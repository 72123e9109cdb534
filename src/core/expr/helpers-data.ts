import type { DataStore } from "../data";
import { compileRegex, type SafeRegex } from "../regex";
import { type FnDef, str } from "./call-site";
import { parseJson } from "./json";
import { isMap } from "./values";

/**
 * Helpers over data files (`data:` in scenarios): word lists, regex lists and JSON-lines
 * maps. Everything derived from a file is built once per DataStore and cached.
 */

interface RegexFile {
  /** One RE2 alternation of every valid line: a single linear-time pass per input. */
  any: SafeRegex | null;
  /** The lines that compile, which `any` alternates. */
  valid: readonly string[];
  invalid: string[];
  results: Map<string, boolean>;
}

interface MapRow {
  pattern: string;
  tag: string;
  type: string;
}

interface MapFile {
  rows: readonly Record<string, string>[];
  equals: Map<string, string>;
  contains: MapRow[];
  regexes: { re: SafeRegex; tag: string }[];
}

interface StoreCache {
  lists: Map<string, readonly string[]>;
  regexes: Map<string, RegexFile>;
  maps: Map<string, MapFile>;
}

const stores = new WeakMap<DataStore, StoreCache>();
const RESULT_CACHE_MAX = 4096;
const RESULT_KEY_MAX = 512;

function cacheOf(data: DataStore): StoreCache {
  let c = stores.get(data);
  if (!c) {
    c = { lists: new Map(), regexes: new Map(), maps: new Map() };
    stores.set(data, c);
  }
  return c;
}

/** The file's lines as CrowdSec loads them (comments `#…` and empty lines skipped), frozen. */
export function fileLines(data: DataStore, name: string): readonly string[] {
  const cache = cacheOf(data);
  let lines = cache.lists.get(name);
  if (!lines) {
    lines = Object.freeze((data.lines(name) ?? []).filter((l) => !l.startsWith("#")));
    cache.lists.set(name, lines);
  }
  return lines;
}

export function regexFile(data: DataStore, name: string): RegexFile {
  const cache = cacheOf(data);
  let rf = cache.regexes.get(name);
  if (rf) return rf;
  const valid: string[] = [];
  const invalid: string[] = [];
  for (const line of fileLines(data, name)) (compileRegex(line).ok ? valid : invalid).push(line);
  const combined = valid.length === 0 ? null : compileRegex(valid.map((p) => `(?:${p})`).join("|"));
  rf = { any: combined?.ok ? combined.value : null, valid, invalid, results: new Map() };
  cache.regexes.set(name, rf);
  return rf;
}

function regexpInFile(data: DataStore, input: string, name: string): boolean {
  const rf = regexFile(data, name);
  if (!rf.any) return false;
  if (input.length > RESULT_KEY_MAX) return rf.any.test(input);
  const hit = rf.results.get(input);
  if (hit !== undefined) return hit;
  const out = rf.any.test(input);
  if (rf.results.size >= RESULT_CACHE_MAX) rf.results.clear();
  rf.results.set(input, out);
  return out;
}

function mapFile(data: DataStore, name: string): MapFile {
  const cache = cacheOf(data);
  let mf = cache.maps.get(name);
  if (mf) return mf;
  const rows: Record<string, string>[] = [];
  mf = { rows, equals: new Map(), contains: [], regexes: [] };
  for (const line of data.lines(name) ?? []) {
    const row = mapRow(line);
    if (!row) continue;
    rows.push(row as unknown as Record<string, string>);
    if (row.type === "equals") mf.equals.set(row.pattern, row.tag);
    else if (row.type === "contains") mf.contains.push(row);
    else {
      const re = compileRegex(row.pattern);
      if (re.ok) mf.regexes.push({ re: re.value, tag: row.tag });
    }
  }
  cache.maps.set(name, mf);
  return mf;
}

function mapRow(line: string): MapRow | undefined {
  const parsed = parseJson(line);
  if (!parsed.ok || !isMap(parsed.value)) return undefined;
  const { pattern, tag, type } = parsed.value;
  if (typeof pattern !== "string" || typeof tag !== "string" || typeof type !== "string")
    return undefined;
  if (pattern === "" || tag === "" || !["equals", "contains", "regex"].includes(type))
    return undefined;
  return { ...(parsed.value as Record<string, string>), pattern, tag, type };
}

/** LookupFile: equals first, then the leftmost "contains" (earliest row on ties), then regexes. */
function lookupFile(data: DataStore, haystack: string, name: string): string {
  const mf = mapFile(data, name);
  const eq = mf.equals.get(haystack);
  if (eq !== undefined) return eq;
  let best = -1;
  let tag = "";
  for (const row of mf.contains) {
    const at = haystack.indexOf(row.pattern);
    if (at >= 0 && (best < 0 || at < best)) {
      best = at;
      tag = row.tag;
    }
  }
  if (best >= 0) return tag;
  for (const r of mf.regexes) if (r.re.test(haystack)) return r.tag;
  return "";
}

export const DATA_HELPERS: Record<string, FnDef> = {
  File: { min: 1, max: 1, call: (_rt, site, a) => fileLines(site.data, str(a, "File", 1)) },
  FileMap: {
    min: 1,
    max: 1,
    call: (_rt, site, a) => mapFile(site.data, str(a, "FileMap", 1)).rows,
  },
  RegexpInFile: {
    min: 2,
    max: 2,
    call: (_rt, site, a, b) =>
      regexpInFile(site.data, str(a, "RegexpInFile", 1), str(b, "RegexpInFile", 2)),
  },
  LookupFile: {
    min: 2,
    max: 2,
    call: (_rt, site, a, b) =>
      lookupFile(site.data, str(a, "LookupFile", 1), str(b, "LookupFile", 2)),
  },
};

/** Which argument of a data helper names a file, for compile-time checks. */
export const FILE_ARGUMENT: Readonly<Record<string, number>> = {
  File: 0,
  FileMap: 0,
  RegexpInFile: 1,
  LookupFile: 1,
};
