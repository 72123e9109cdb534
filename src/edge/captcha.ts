import type { WorkerConfig } from "../config";
import { canonicalEntryValue } from "../core/blocklist/index";
import { PalisadeHttpError } from "../http/error";
import { CLEARANCE_COOKIE, clearanceCookie, signClearance, verifyClearance } from "./clearance";
import type { Client } from "./client";
import { challengeBody, deny } from "./pages";

/**
 * The captcha decision: a Turnstile page whose form posts to the verify route; the route
 * asks siteverify (server-side, with the secret) and answers with a clearance cookie and
 * a redirect back. A visitor holding a valid cookie for its address passes.
 */

export const VERIFY_PATH = "/_palisade/v1/captcha/verify";
const MAX_FORM_BYTES = 16 * 1024;
/** Configs already reported as missing the sitekey (once per isolate, not per visitor). */
const warned = new WeakSet<WorkerConfig>();

/** What the clearance is bound to: the IPv4 address, or the IPv6 /prefix network. */
function clearanceBinding(ip: string | undefined, ipv6Prefix: number): string | undefined {
  return ip === undefined ? undefined : canonicalEntryValue("Ip", ip, ipv6Prefix);
}

export async function hasClearance(
  request: Request,
  client: Client,
  cfg: WorkerConfig,
  now: number,
): Promise<boolean> {
  const binding = clearanceBinding(client.ip, cfg.ipv6Prefix);
  if (binding === undefined) return false;
  return verifyClearance(cfg, readCookie(request, CLEARANCE_COOKIE), binding, now);
}

export function challenge(
  request: Request,
  cfg: WorkerConfig,
  verifyPath: string,
  error?: string,
): Response {
  const url = new URL(request.url);
  if (!cfg.turnstileSitekey && !warned.has(cfg)) {
    warned.add(cfg);
    console.error("palisade.captcha.not_configured", {
      message:
        "A captcha decision matched but TURNSTILE_SITEKEY is not set; set it in wrangler.toml [vars].",
    });
  }
  const ch = {
    sitekey: cfg.turnstileSitekey ?? "",
    verifyPath,
    returnTo: `${url.pathname}${url.search}`,
    ...(error === undefined ? {} : { error }),
  };
  return deny(request, {
    status: 403,
    code: error === undefined ? "captcha_required" : "captcha_failed",
    title: "One more step",
    message:
      error ?? "Solve the captcha to continue (an HTML page with Turnstile is served to browsers).",
    body: challengeBody(ch),
  });
}

/** POST verify: siteverify the Turnstile token, then cookie + 303 back to where the visitor was. */
export async function verifyCaptcha(
  request: Request,
  client: Client,
  cfg: WorkerConfig,
  verifyPath: string,
  now: number,
): Promise<Response> {
  const form = await readForm(request);
  const returnTo = safeReturn(form.get("return"), request.url);
  const token = form.get("cf-turnstile-response");
  const binding = clearanceBinding(client.ip, cfg.ipv6Prefix);
  const back = new Request(new URL(returnTo, request.url), { headers: request.headers });
  if (!token) return challenge(back, cfg, verifyPath, "The captcha was not solved; try again.");
  if (binding === undefined) {
    throw new PalisadeHttpError(400, "no_client_ip", "The request carries no CF-Connecting-IP.");
  }
  if (!cfg.turnstileSecret) {
    console.error("palisade.captcha.not_configured", {
      message: "TURNSTILE_SECRET is not set; run: wrangler secret put TURNSTILE_SECRET.",
    });
    throw new PalisadeHttpError(
      500,
      "captcha_not_configured",
      "Captcha verification is not configured.",
    );
  }
  if (!(await siteverify(cfg, token, client.ip as string))) {
    return challenge(back, cfg, verifyPath, "The captcha could not be verified; try again.");
  }
  const value = await signClearance(cfg, binding, now);
  const secure = new URL(request.url).protocol === "https:";
  return new Response(null, {
    status: 303,
    headers: {
      Location: returnTo,
      "Set-Cookie": clearanceCookie(value, cfg.clearanceTtlS, secure),
      "Cache-Control": "no-store",
    },
  });
}

async function siteverify(cfg: WorkerConfig, token: string, ip: string): Promise<boolean> {
  const body = new URLSearchParams({
    secret: cfg.turnstileSecret ?? "",
    response: token,
    remoteip: ip,
  });
  let res: Response;
  try {
    res = await fetch(cfg.turnstileVerifyUrl, { method: "POST", body });
  } catch (err) {
    throw unreachable(cfg, err);
  }
  const out = (await res.json().catch(() => null)) as {
    success?: unknown;
    "error-codes"?: unknown;
  } | null;
  if (!res.ok || out === null) throw unreachable(cfg, `HTTP ${res.status}`);
  if (out.success !== true) {
    console.warn("palisade.captcha.rejected", { errorCodes: out["error-codes"] });
  }
  return out.success === true;
}

function unreachable(cfg: WorkerConfig, cause: unknown): PalisadeHttpError {
  console.error("palisade.captcha.siteverify_unreachable", {
    url: cfg.turnstileVerifyUrl,
    error: cause instanceof Error ? cause.message : String(cause),
  });
  return new PalisadeHttpError(
    502,
    "captcha_unavailable",
    "Captcha verification is unavailable; retry.",
    {
      cause,
    },
  );
}

async function readForm(request: Request): Promise<URLSearchParams> {
  const length = Number(request.headers.get("Content-Length") ?? "0");
  if (length > MAX_FORM_BYTES) {
    throw new PalisadeHttpError(
      413,
      "form_too_large",
      `The captcha form is over ${MAX_FORM_BYTES} bytes.`,
    );
  }
  const type = request.headers.get("Content-Type") ?? "";
  if (type.startsWith("application/x-www-form-urlencoded")) {
    const text = await request.text();
    if (text.length > MAX_FORM_BYTES) {
      throw new PalisadeHttpError(
        413,
        "form_too_large",
        `The captcha form is over ${MAX_FORM_BYTES} bytes.`,
      );
    }
    return new URLSearchParams(text);
  }
  if (type.startsWith("multipart/form-data")) {
    const out = new URLSearchParams();
    for (const [k, v] of await request.formData()) if (typeof v === "string") out.append(k, v);
    return out;
  }
  throw new PalisadeHttpError(
    415,
    "unsupported_media_type",
    "The captcha form must be a form post.",
    {
      path: "Content-Type",
    },
  );
}

/** A same-site path to go back to: never another host (no open redirect). */
function safeReturn(value: string | null, requestUrl: string): string {
  if (!value?.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  try {
    const base = new URL(requestUrl);
    const url = new URL(value, base);
    return url.origin === base.origin ? `${url.pathname}${url.search}` : "/";
  } catch {
    return "/";
  }
}

function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("Cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
