/**
 * Machine passwords and enrollment keys are never stored, only their SHA-256 (passwords
 * salted). One round of SHA-256 is enough for what engines send (64 random characters:
 * nothing to guess) and keeps a login within the free plan's CPU budget, which a slow
 * password hash would not; the contract refuses passwords under 16 characters.
 */

const ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

/** A random token of `length` characters from an unambiguous alphabet (5 bits each). */
export function randomToken(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

export function passwordHash(salt: string, password: string): Promise<string> {
  return hashToken(`${salt}\u0000${password}`);
}

const encoder = new TextEncoder();

/** SHA-256 of a secret, hex. */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(token));
  let hex = "";
  for (const b of new Uint8Array(digest)) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** Constant-time equality of two hashes (hex of the same length). */
export function sameHash(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  return x.byteLength === y.byteLength && crypto.subtle.timingSafeEqual(x, y);
}
