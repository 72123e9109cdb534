/**
 * A scenario's content hash: two FNV-1a passes (different offsets) over its YAML text,
 * 16 hex digits. Not a security digest: it only tells a tracker whether the scenario a
 * bucket was filled by is still the one running (crypto.subtle is async and per-call
 * costly, and this runs at compile time for every scenario of every version).
 */
export function contentHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 13);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
