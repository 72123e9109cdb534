import { decodeUtf8 } from "./gourl";
import { utf8Bytes } from "./sprintf";

/** Go's base64.StdEncoding over UTF-8 text. */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const VALID = /^[A-Za-z0-9+/]*={0,2}$/;

export function base64Encode(s: string): string {
  const bytes = utf8Bytes(s);
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const keep = Math.min(4, bytes.length - i + 1);
    for (let k = 0; k < keep; k++) out += ALPHABET[(n >> (18 - 6 * k)) & 63];
    out += "=".repeat(4 - keep);
  }
  return out;
}

/** Decodes padded base64 (newlines ignored, as Go does); undefined when malformed. */
export function base64Decode(input: string): string | undefined {
  const s = input.replace(/[\r\n]/g, "");
  if (s.length % 4 !== 0 || !VALID.test(s)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i += 4) {
    let n = 0;
    let pad = 0;
    for (let k = 0; k < 4; k++) {
      const v = ALPHABET.indexOf(s[i + k] as string);
      if (v < 0) pad++;
      n = (n << 6) | Math.max(v, 0);
    }
    bytes.push((n >> 16) & 255);
    if (pad < 2) bytes.push((n >> 8) & 255);
    if (pad < 1) bytes.push(n & 255);
  }
  return decodeUtf8(bytes);
}
