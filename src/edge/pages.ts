import { errorResponse, PalisadeHttpError } from "../http/error";
import { wantsJson } from "./client";

/**
 * What a blocked visitor sees: an HTML page for browsers, Palisade's JSON error for API
 * clients (by `Accept`). Always `no-store`, so a cache in front never serves one
 * visitor's block page to another. Every page carries a Content-Security-Policy that
 * allows nothing but its own inline style and script (by a per-response nonce), the
 * Turnstile widget on the challenge page, and form posts to this site; no site may frame
 * it (`frame-ancestors 'none'`, `X-Frame-Options: DENY`), so a challenge cannot be
 * overlaid by a clickjacking page.
 */

export interface Denial {
  status: 403 | 429 | 400 | 502 | 503 | 500 | 508;
  code: string;
  message: string;
  title: string;
  headers?: Record<string, string>;
  /** The page's body HTML (escaped by the caller; scripts carry `nonce`); defaults to the message. */
  body?: (nonce: string) => string;
}

/** Where the Turnstile widget's script and frame come from. */
const TURNSTILE_ORIGIN = "https://challenges.cloudflare.com";

export function deny(request: Request, d: Denial): Response {
  const headers = d.headers ?? {};
  if (wantsJson(request.headers.get("Accept"))) {
    return errorResponse(new PalisadeHttpError(d.status, d.code, d.message, { headers }));
  }
  const nonce = newNonce();
  const h = new Headers(headers);
  h.set("Content-Type", "text/html; charset=utf-8");
  h.set("Cache-Control", "no-store");
  h.set("Content-Security-Policy", pagePolicy(nonce));
  h.set("X-Frame-Options", "DENY");
  h.set("X-Content-Type-Options", "nosniff");
  h.set("Referrer-Policy", "no-referrer");
  const body = d.body ? d.body(nonce) : `<p>${escapeHtml(d.message)}</p>`;
  return new Response(page(d.title, body, nonce), { status: d.status, headers: h });
}

/** The pages' CSP: their own nonce'd style and script, Turnstile, forms to this site only. */
export function pagePolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}' ${TURNSTILE_ORIGIN}`,
    `frame-src ${TURNSTILE_ORIGIN}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function banned(request: Request, id: number): Response {
  return deny(request, {
    status: 403,
    code: "banned",
    title: "Access denied",
    message: `Access denied: this address is blocked by the site's security policy (reference ${id}).`,
  });
}

export function throttled(request: Request, retryAfterS: number, id: number): Response {
  return deny(request, {
    status: 429,
    code: "throttled",
    title: "Too many requests",
    message: `Too many requests from this address; retry after ${retryAfterS} s (reference ${id}).`,
    headers: { "Retry-After": String(retryAfterS) },
  });
}

export function unavailable(request: Request): Response {
  return deny(request, {
    status: 503,
    code: "blocklist_unavailable",
    title: "Temporarily unavailable",
    message: "The site's security check is unavailable; retry in a few seconds.",
    headers: { "Retry-After": "5" },
  });
}

export interface Challenge {
  sitekey: string;
  verifyPath: string;
  returnTo: string;
  error?: string;
}

/** The Turnstile page: the widget submits the form to the verify route once solved. */
export function challengeBody(ch: Challenge, nonce: string): string {
  const error = ch.error ? `<p class="error">${escapeHtml(ch.error)}</p>` : "";
  return `<p>Please confirm you are a visitor, not a bot, to continue.</p>${error}
<form id="palisade-challenge" method="POST" action="${escapeHtml(ch.verifyPath)}">
<input type="hidden" name="return" value="${escapeHtml(ch.returnTo)}">
<div class="cf-turnstile" data-sitekey="${escapeHtml(ch.sitekey)}" data-callback="palisadeSolved"></div>
<noscript><p>This check needs JavaScript.</p></noscript>
<button type="submit">Continue</button>
</form>
<script nonce="${nonce}">function palisadeSolved(){document.getElementById("palisade-challenge").submit();}</script>
<script nonce="${nonce}" src="${TURNSTILE_ORIGIN}/turnstile/v0/api.js" async defer></script>`;
}

function page(title: string, body: string, nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style nonce="${nonce}">body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:12vh auto;padding:0 1rem;color:#222}h1{font-size:1.5rem}.error{color:#b00020}button{margin-top:1rem;padding:.5rem 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] as string,
  );
}
