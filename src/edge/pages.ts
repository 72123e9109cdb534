import { errorResponse, PalisadeHttpError } from "../http/error";
import { wantsJson } from "./client";

/**
 * What a blocked visitor sees: an HTML page for browsers, Palisade's JSON error for API
 * clients (by `Accept`). Always `no-store`, so a cache in front never serves one
 * visitor's block page to another.
 */

export interface Denial {
  status: 403 | 429 | 400 | 502 | 503 | 500;
  code: string;
  message: string;
  title: string;
  headers?: Record<string, string>;
  /** The page's body HTML (escaped by the caller); defaults to the message. */
  body?: string;
}

export function deny(request: Request, d: Denial): Response {
  const headers = d.headers ?? {};
  if (wantsJson(request.headers.get("Accept"))) {
    return errorResponse(new PalisadeHttpError(d.status, d.code, d.message, { headers }));
  }
  const h = new Headers(headers);
  h.set("Content-Type", "text/html; charset=utf-8");
  h.set("Cache-Control", "no-store");
  return new Response(page(d.title, d.body ?? `<p>${escapeHtml(d.message)}</p>`), {
    status: d.status,
    headers: h,
  });
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
export function challengeBody(ch: Challenge): string {
  const error = ch.error ? `<p class="error">${escapeHtml(ch.error)}</p>` : "";
  return `<p>Please confirm you are a visitor, not a bot, to continue.</p>${error}
<form id="palisade-challenge" method="POST" action="${escapeHtml(ch.verifyPath)}">
<input type="hidden" name="return" value="${escapeHtml(ch.returnTo)}">
<div class="cf-turnstile" data-sitekey="${escapeHtml(ch.sitekey)}" data-callback="palisadeSolved"></div>
<noscript><p>This check needs JavaScript.</p></noscript>
<button type="submit">Continue</button>
</form>
<script>function palisadeSolved(){document.getElementById("palisade-challenge").submit();}</script>
<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>`;
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:12vh auto;padding:0 1rem;color:#222}h1{font-size:1.5rem}.error{color:#b00020}button{margin-top:1rem;padding:.5rem 1rem}</style>
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
