import type { WorkerConfig } from "../config";

/**
 * The captcha clearance cookie: `<expiry s>.<HMAC-SHA256 base64url>`, the MAC over
 * `palisade-clearance-v1|<expiry>|<binding>` where the binding is the visitor's IPv4
 * address or its IPv6 /IPV6_PREFIX network. The binding is not in the cookie: it is
 * recomputed from the request, so a cookie carried to another address fails the MAC.
 */

export const CLEARANCE_COOKIE = "palisade_clearance";
const CONTEXT = "palisade-clearance-v1";
const FORMAT = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

const keys = new Map<string, Promise<CryptoKey>>();
let ephemeral: Promise<CryptoKey> | undefined;

/** The HMAC key: CLEARANCE_KEY as is, else derived from the admin token, else per isolate. */
function hmacKey(cfg: WorkerConfig): Promise<CryptoKey> {
  const k = cfg.clearanceKey;
  if (!k) {
    if (!ephemeral) {
      console.error("palisade.config.clearance_key_missing", {
        message:
          "Neither CLEARANCE_KEY nor PALISADE_ADMIN_TOKEN is set: clearance cookies only hold within one isolate, so visitors may be challenged again. Run: wrangler secret put CLEARANCE_KEY.",
      });
      ephemeral = crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, [
        "sign",
        "verify",
      ]) as Promise<CryptoKey>;
    }
    return ephemeral;
  }
  const id = `${k.source}:${k.secret}`;
  let key = keys.get(id);
  if (!key) {
    if (k.source === "PALISADE_ADMIN_TOKEN") {
      console.warn("palisade.config.clearance_key", {
        message:
          "CLEARANCE_KEY is not set; the captcha clearance cookie is signed with a key derived from PALISADE_ADMIN_TOKEN. Set it: wrangler secret put CLEARANCE_KEY.",
      });
    }
    key = importKey(k.secret, k.source === "PALISADE_ADMIN_TOKEN");
    keys.set(id, key);
  }
  return key;
}

async function importKey(secret: string, derive: boolean): Promise<CryptoKey> {
  const raw = new TextEncoder().encode(derive ? `${CONTEXT}|${secret}` : secret);
  // A key derived from the admin token is a hash of it, so the cookie MAC never uses the token itself.
  const material = derive ? await crypto.subtle.digest("SHA-256", raw) : raw;
  return crypto.subtle.importKey("raw", material, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

function message(expiry: number, binding: string): Uint8Array {
  return new TextEncoder().encode(`${CONTEXT}|${expiry}|${binding}`);
}

/** A cookie value valid until `nowMs + ttl` for `binding`. */
export async function signClearance(
  cfg: WorkerConfig,
  binding: string,
  nowMs: number,
  ttlS = cfg.clearanceTtlS,
): Promise<string> {
  const expiry = Math.floor(nowMs / 1000) + ttlS;
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(cfg), message(expiry, binding));
  return `${expiry}.${base64url(new Uint8Array(mac))}`;
}

/** True when `value` is a cookie this deployment signed for `binding` and it has not expired. */
export async function verifyClearance(
  cfg: WorkerConfig,
  value: string | undefined,
  binding: string,
  nowMs: number,
): Promise<boolean> {
  const m = value === undefined ? null : FORMAT.exec(value);
  if (!m) return false;
  const expiry = Number(m[1]);
  if (expiry * 1000 <= nowMs) return false;
  const mac = fromBase64url(m[2] as string);
  if (!mac) return false;
  // crypto.subtle.verify compares in constant time.
  return crypto.subtle.verify("HMAC", await hmacKey(cfg), mac, message(expiry, binding));
}

/** Set-Cookie for a fresh clearance; `Secure` whenever the site is served over https. */
export function clearanceCookie(value: string, ttlS: number, secure: boolean): string {
  const attrs = [`${CLEARANCE_COOKIE}=${value}`, "Path=/", `Max-Age=${ttlS}`, "HttpOnly"];
  attrs.push("SameSite=Lax");
  if (secure) attrs.push("Secure");
  return attrs.join("; ");
}

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | undefined {
  try {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  } catch {
    return undefined;
  }
}
