/**
 * Machine tokens are never stored: the Ledger keeps their SHA-256 (hex), and a presented
 * token is hashed and compared with each known hash in constant time, so neither the
 * comparison's duration nor the storage reveals a token.
 */

const encoder = new TextEncoder();

export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(token));
  let hex = "";
  for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** Constant-time equality of two hashes (hex text of the same length). */
export function sameHash(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  if (x.byteLength !== y.byteLength) return false;
  return crypto.subtle.timingSafeEqual(x, y);
}

/** The first of `candidates` whose hash matches, comparing with every one of them. */
export function findHash<T extends { token_hash: string }>(
  hash: string,
  candidates: readonly T[],
): T | undefined {
  let found: T | undefined;
  for (const c of candidates) {
    if (sameHash(hash, c.token_hash) && found === undefined) found = c;
  }
  return found;
}
