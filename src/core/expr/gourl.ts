import { utf8Bytes } from "./sprintf";

/**
 * Go's net/url escaping. Unescaping fails (undefined) on a malformed %-escape, as Go
 * does; CrowdSec's helpers then return their input unchanged. Decoded bytes that are not
 * UTF-8 become U+FFFD (Go would keep the raw bytes).
 */

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function hexVal(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}

export function goUnescape(s: string, query: boolean): string | undefined {
  const pct = s.indexOf("%");
  if (pct < 0 && !(query && s.includes("+"))) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      if (i + 2 >= s.length || !isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) {
        return undefined;
      }
      bytes.push((hexVal(s.charCodeAt(i + 1)) << 4) | hexVal(s.charCodeAt(i + 2)));
      i += 3;
    } else if (c === 43 && query) {
      bytes.push(32);
      i++;
    } else if (c < 0x80) {
      bytes.push(c);
      i++;
    } else {
      const cp = s.codePointAt(i) as number;
      bytes.push(...utf8Bytes(String.fromCodePoint(cp)));
      i += cp > 0xffff ? 2 : 1;
    }
  }
  return decodeUtf8(bytes);
}

/** UTF-8 bytes to a string; each invalid sequence becomes U+FFFD. */
export function decodeUtf8(bytes: readonly number[]): string {
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    const size = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 0;
    let cp = size === 4 ? b & 7 : size === 3 ? b & 15 : b & 31;
    let ok = size > 0 && i + size <= bytes.length;
    for (let k = 1; ok && k < size; k++) {
      const cb = bytes[i + k] as number;
      if ((cb & 0xc0) !== 0x80) ok = false;
      cp = (cp << 6) | (cb & 63);
    }
    const minimal = size === 2 || (size === 3 && cp >= 0x800) || (size === 4 && cp >= 0x10000);
    if (!ok || !minimal || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
      out += "\ufffd";
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += size;
  }
  return out;
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

function percentEncode(s: string, keep: string, spacePlus: boolean): string {
  let out = "";
  for (const b of utf8Bytes(s)) {
    const c = String.fromCharCode(b);
    if (b < 0x80 && (UNRESERVED.test(c) || keep.includes(c))) out += c;
    else if (b === 32 && spacePlus) out += "+";
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export function goPathEscape(s: string): string {
  return percentEncode(s, "$&+:=@", false);
}

export function goQueryEscape(s: string): string {
  return percentEncode(s, "", true);
}

/**
 * CrowdSec's ParseUri: the query string of `uri` as a map of value lists; an empty map
 * when Go's url.Parse or url.ParseQuery would fail.
 */
export function parseUriQuery(uri: string): Record<string, string[]> {
  const out = Object.create(null) as Record<string, string[]>;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Go's url.Parse rejects control characters.
  if (/[\x00-\x1f\x7f]/.test(uri)) return out;
  const noFrag = uri.split("#", 1)[0] as string;
  const q = noFrag.indexOf("?");
  if (q < 0) return out;
  for (const pair of noFrag.slice(q + 1).split("&")) {
    if (pair === "") continue;
    if (pair.includes(";")) return Object.create(null) as Record<string, string[]>;
    const eq = pair.indexOf("=");
    const key = goUnescape(eq < 0 ? pair : pair.slice(0, eq), true);
    const value = goUnescape(eq < 0 ? "" : pair.slice(eq + 1), true);
    if (key === undefined || value === undefined)
      return Object.create(null) as Record<string, string[]>;
    const list = out[key];
    if (list) list.push(value);
    else out[key] = [value];
  }
  return out;
}
