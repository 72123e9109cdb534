import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { hashToken, type LiveSession, ledgerOf, sameHash } from "../durable/ledger/index";
import type { Env } from "../env";
import { ACCESS_HEADER, accessConfig, verifyAccess } from "./access";

/**
 * The console's sessions: a random secret in an HttpOnly, SameSite=Strict cookie (Secure
 * except on a loopback host, where `wrangler dev` serves plain http), its SHA-256 kept by
 * the Ledger with the session's CSRF token. Made by a login with the admin token or by a
 * valid Cloudflare Access JWT; ended by logout, expiry or revocation.
 */

export type ConsoleContext = Context<{ Bindings: Env }>;

export const SESSION_COOKIE = "palisade_console";
export const LOGIN_COOKIE = "palisade_console_login";
export const CONSOLE_BASE = "/_palisade/console";
/** A session lasts this long from login, then the operator logs in again. */
export const SESSION_TTL_MS = 12 * 3_600_000;

export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let hex = "";
  for (const b of bytes) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** A loopback host over plain http: the one place a cookie may go without `Secure`. */
export function isLocalHttp(url: string): boolean {
  const u = new URL(url);
  return u.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname);
}

function cookieOptions(c: ConsoleContext, path: string, maxAge: number) {
  return {
    path,
    httpOnly: true,
    secure: !isLocalHttp(c.req.url),
    sameSite: "Strict" as const,
    maxAge,
  };
}

/** Starts a session for `who` and sets its cookie. */
export async function startSession(
  c: ConsoleContext,
  who: string,
  via: "access" | "token",
): Promise<LiveSession> {
  const secret = randomToken();
  const idHash = await hashToken(secret);
  const csrf = randomToken();
  await ledgerOf(c.env).startSession({
    idHash,
    who,
    via,
    csrf,
    ttlMs: SESSION_TTL_MS,
    ip: c.req.header("CF-Connecting-IP") ?? null,
    userAgent: c.req.header("User-Agent") ?? null,
  });
  setCookie(c, SESSION_COOKIE, secret, cookieOptions(c, "/_palisade/", SESSION_TTL_MS / 1000));
  return { id: idHash, who, via, csrf, expires: Date.now() + SESSION_TTL_MS };
}

/** The request's live session: its cookie's, else one started from a valid Access JWT. */
export async function currentSession(c: ConsoleContext): Promise<LiveSession | undefined> {
  const secret = getCookie(c, SESSION_COOKIE);
  if (secret && /^[0-9a-f]{64}$/.test(secret)) {
    const live = await ledgerOf(c.env).session(await hashToken(secret));
    if (live) return live;
  }
  const access = accessConfig(c.env);
  const jwt = c.req.header(ACCESS_HEADER);
  if (!access || !jwt) return undefined;
  const who = await verifyAccess(jwt, access);
  return who === undefined ? undefined : startSession(c, who, "access");
}

/** Ends the session of this request and clears its cookie. */
export async function endSession(c: ConsoleContext, session: LiveSession): Promise<void> {
  await ledgerOf(c.env).revokeSessions(session.id);
  setCookie(c, SESSION_COOKIE, "", cookieOptions(c, "/_palisade/", 0));
}

/** The login form's CSRF token: a cookie it must match (no session exists yet). */
export function loginToken(c: ConsoleContext): string {
  const token = randomToken();
  setCookie(c, LOGIN_COOKIE, token, cookieOptions(c, `${CONSOLE_BASE}/login`, 600));
  return token;
}

export function loginTokenValid(c: ConsoleContext, sent: string | undefined): boolean {
  const kept = getCookie(c, LOGIN_COOKIE);
  return kept !== undefined && sent !== undefined && sameText(kept, sent);
}

/** Constant-time equality of two tokens. */
export function sameText(a: string, b: string): boolean {
  return sameHash(a, b);
}

/**
 * A form post from another origin is refused whatever its token: browsers send `Origin`
 * on every POST, and SameSite=Strict already keeps the cookie off cross-site requests.
 */
export function sameOrigin(c: ConsoleContext): boolean {
  const origin = c.req.header("Origin");
  return origin === undefined || origin === "null"
    ? origin === undefined
    : origin === new URL(c.req.url).origin;
}
