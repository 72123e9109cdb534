/**
 * Watcher session tokens: HS256 JWTs (as CrowdSec's gin-jwt issues them) signed with
 * WebCrypto HMAC. Claims: `id` (the machine's name, as CrowdSec), `mid` (its row in the
 * Ledger, so a token outlives neither its machine nor a later machine of the same name),
 * `exp`, `orig_iat` (seconds).
 */

export interface JwtClaims {
  id: string;
  mid: number;
  exp: number;
  orig_iat: number;
}

const encoder = new TextEncoder();
const HEADER = base64url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
const keys = new Map<string, Promise<CryptoKey>>();

function keyOf(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    keys.set(secret, key);
  }
  return key;
}

export async function signJwt(secret: string, claims: JwtClaims): Promise<string> {
  const body = `${HEADER}.${base64url(encoder.encode(JSON.stringify(claims)))}`;
  const mac = await crypto.subtle.sign("HMAC", await keyOf(secret), encoder.encode(body));
  return `${body}.${base64url(new Uint8Array(mac))}`;
}

/** The claims of a token signed with `secret` and not expired at `nowS`; null otherwise. */
export async function verifyJwt(
  secret: string,
  token: string,
  nowS: number,
): Promise<JwtClaims | null> {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== HEADER) return null;
  const mac = fromBase64url(parts[2] as string);
  if (!mac) return null;
  const signed = encoder.encode(`${parts[0]}.${parts[1]}`);
  // verify() compares in constant time.
  if (!(await crypto.subtle.verify("HMAC", await keyOf(secret), mac, signed))) return null;
  const payload = fromBase64url(parts[1] as string);
  if (!payload) return null;
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return null;
  }
  const c = claims as Partial<JwtClaims> | null;
  if (typeof c?.id !== "string" || typeof c.exp !== "number" || c.exp <= nowS) return null;
  if (typeof c.mid !== "number" || !Number.isInteger(c.mid)) return null;
  return {
    id: c.id,
    mid: c.mid,
    exp: c.exp,
    orig_iat: typeof c.orig_iat === "number" ? c.orig_iat : 0,
  };
}

function base64url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}
