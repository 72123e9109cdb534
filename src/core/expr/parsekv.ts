import { fail } from "./runtime";
import { isMap, ownGet } from "./values";

/**
 * CrowdSec's ParseKV(blob, target, prefix): every `key=value`, `key="quoted value"` or
 * bare `key=` in `blob` into target[prefix], as Go's FindAllStringSubmatch of
 *   (?P<key>[^=\s]+)=(?:"(?P<quoted_value>[^"\\]*(?:\\.[^"\\]*)*)"|(?P<value>[^=\s]+)|\s*)
 * finds them, scanned by hand in one linear pass. Quoted values keep their escapes.
 */

/** RE2's \s: Go's pattern treats every other character (\v, NBSP…) as part of keys and values. */
const RE2_SPACE = "\t\n\f\r ";

function isKeyChar(c: string | undefined): boolean {
  return c !== undefined && c !== "=" && !RE2_SPACE.includes(c);
}

/** The end of a quoted value starting at the quote `q`, or -1 when it is not closed. */
function quotedEnd(s: string, q: number): number {
  for (let i = q + 1; i < s.length; i++) {
    if (s[i] === "\\") i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

function scanKeyValues(s: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  while (i < s.length) {
    if (!isKeyChar(s[i])) {
      i++;
      continue;
    }
    let j = i;
    while (isKeyChar(s[j])) j++;
    if (s[j] !== "=") {
      i = j;
      continue;
    }
    const key = s.slice(i, j);
    let v = j + 1;
    const close = s[v] === '"' ? quotedEnd(s, v) : -1;
    if (close >= 0) {
      out.push([key, s.slice(v + 1, close)]);
      i = close + 1;
      continue;
    }
    const start = v;
    while (isKeyChar(s[v])) v++;
    if (v > start) out.push([key, s.slice(start, v)]);
    else {
      while (v < s.length && RE2_SPACE.includes(s[v] as string)) v++;
      out.push([key, ""]);
    }
    i = v;
  }
  return out;
}

export function parseKv(blob: string, target: unknown, prefix: string): null {
  if (!isMap(target)) return fail("ParseKV: argument 2 must be a map");
  const pairs = scanKeyValues(blob);
  if (pairs.length === 0) return fail("ParseKV: invalid input format (no key=value pair)");
  let into = ownGet(target, prefix);
  if (into === undefined) {
    into = {};
    Object.defineProperty(target, prefix, {
      value: into,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else if (!isMap(into)) return fail(`ParseKV: ${prefix} is not a map`);
  for (const [k, v] of pairs) {
    // Keys come from log lines: defineProperty keeps "__proto__" an ordinary key.
    Object.defineProperty(into, k, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return null;
}
