import { isMap, ownGet } from "./values";

/**
 * CrowdSec's JSON helpers. JsonExtract is built on buger/jsonparser, which returns the raw
 * text of the value found (strings without their quotes but still escaped, objects as
 * written); this scanner does the same without parsing the whole document.
 */

interface Span {
  start: number;
  end: number;
}

function ws(s: string, i: number): number {
  let j = i;
  while (j < s.length && (s[j] === " " || s[j] === "\n" || s[j] === "\r" || s[j] === "\t")) j++;
  return j;
}

function stringEnd(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] === "\\") j++;
    else if (s[j] === '"') return j + 1;
  }
  return -1;
}

/** End offset of the value starting at `i`, or -1 when malformed. */
function valueEnd(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return stringEnd(s, i);
  if (c !== "{" && c !== "[") {
    let j = i;
    while (j < s.length && !",}] \n\r\t".includes(s[j] as string)) j++;
    return j > i ? j : -1;
  }
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const d = s[j];
    if (d === '"') {
      j = stringEnd(s, j) - 1;
      if (j < 0) return -1;
    } else if (d === "{" || d === "[") depth++;
    else if (d === "}" || d === "]") {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

function findKey(s: string, open: number, key: string): number {
  let i = ws(s, open + 1);
  while (i < s.length && s[i] === '"') {
    const kEnd = stringEnd(s, i);
    if (kEnd < 0) return -1;
    const raw = s.slice(i + 1, kEnd - 1);
    i = ws(s, kEnd);
    if (s[i] !== ":") return -1;
    const v = ws(s, i + 1);
    if (raw === key || (raw.includes("\\") && unescapeJson(raw) === key)) return v;
    const vEnd = valueEnd(s, v);
    if (vEnd < 0) return -1;
    i = ws(s, vEnd);
    if (s[i] !== ",") return -1;
    i = ws(s, i + 1);
  }
  return -1;
}

function findIndex(s: string, open: number, n: number): number {
  let i = ws(s, open + 1);
  for (let k = 0; i < s.length && s[i] !== "]"; k++) {
    if (k === n) return i;
    const vEnd = valueEnd(s, i);
    if (vEnd < 0) return -1;
    i = ws(s, vEnd);
    if (s[i] !== ",") return -1;
    i = ws(s, i + 1);
  }
  return -1;
}

/** jsonparser.Get: the span of the value at `keys` (`[n]` indexes arrays). */
function jsonGet(blob: string, keys: readonly string[]): Span | undefined {
  let i = ws(blob, 0);
  for (const key of keys) {
    const idx = /^\[(\d+)\]$/.exec(key);
    if (idx && blob[i] === "[") i = findIndex(blob, i, Number(idx[1]));
    else if (!idx && blob[i] === "{") i = findKey(blob, i, key);
    else return undefined;
    if (i < 0) return undefined;
  }
  const end = valueEnd(blob, i);
  return end < 0 ? undefined : { start: i, end };
}

function unescapeJson(raw: string): string | undefined {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}

/** CrowdSec's JsonExtract(blob, "a.b[0].c"): raw text of the value, "" when absent. */
export function jsonExtract(blob: string, target: string): string {
  const path = target.startsWith("[") ? target : target.replaceAll("[", ".[");
  const span = jsonGet(blob, path.split("."));
  if (!span) return "";
  const isString = blob[span.start] === '"';
  return blob.slice(span.start + (isString ? 1 : 0), span.end - (isString ? 1 : 0));
}

/** JsonExtractUnescape(blob, keys...): the unescaped string at the path, "" otherwise. */
export function jsonExtractUnescape(blob: string, keys: readonly string[]): string {
  const span = jsonGet(blob, keys);
  if (!span || blob[span.start] !== '"') return "";
  return unescapeJson(blob.slice(span.start + 1, span.end - 1)) ?? "";
}

export function parseJson(
  text: string,
): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** The parsed value at `target` (JsonExtract path syntax), or undefined. */
export function jsonExtractValue(blob: string, target: string): unknown {
  const path = target.startsWith("[") ? target : target.replaceAll("[", ".[");
  const span = jsonGet(blob, path.split("."));
  if (!span) return undefined;
  const parsed = parseJson(blob.slice(span.start, span.end));
  return parsed.ok ? parsed.value : undefined;
}

/** JsonExtractLib(blob, keys...): walks the parsed document; nil when a key is absent. */
export function jsonExtractLib(blob: string, keys: readonly string[]): unknown {
  const parsed = parseJson(blob);
  if (!parsed.ok) return null;
  let cur: unknown = parsed.value;
  for (const k of keys) {
    const idx = /^\[(\d+)\]$/.exec(k);
    if (idx && Array.isArray(cur)) cur = cur[Number(idx[1])];
    else if (isMap(cur)) cur = ownGet(cur, k);
    else return null;
    if (cur === undefined) return null;
  }
  return cur;
}

/** Go's json.Marshal: sorted map keys, and <, >, & escaped as \u003c, \u003e, \u0026. */
export function goJsonMarshal(v: unknown): string {
  const text = JSON.stringify(sortKeys(v)) ?? "null";
  return text.replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isMap(v)) return v === undefined ? null : v;
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(ownGet(v, k));
  return out;
}
