import { deny } from "./pages";

/**
 * Passes a clean visitor's request to the origin untouched: method, headers (cookies,
 * `X-Forwarded-For` included), body streamed, and the origin's answer streamed back as is
 * (status, headers, redirects not followed). With ORIGIN_URL the URL's origin (and any
 * path prefix) is replaced; without it the request goes to the route's own origin, which
 * on Cloudflare does not pass through this Worker again.
 */
export async function proxyToOrigin(
  request: Request,
  originUrl: URL | undefined,
): Promise<Response> {
  const target = originUrl ? rewrite(request.url, originUrl) : request.url;
  try {
    // An incoming request is already `manual` (Workers set it so) and goes out as is;
    // otherwise one init object (fetch builds the one Request, as a bare proxy's does).
    if (!originUrl && request.redirect === "manual") return await fetch(request);
    return await fetch(target, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
    });
  } catch (err) {
    console.error("palisade.origin.unreachable", {
      origin: new URL(target).origin,
      error: err instanceof Error ? err.message : String(err),
    });
    return deny(request, {
      status: 502,
      code: "origin_unreachable",
      title: "Bad gateway",
      message: "The origin server could not be reached.",
    });
  }
}

/** The request's path and query on the origin (string slicing: no URL parse per request). */
function rewrite(url: string, origin: URL): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return `${baseOf(origin)}${start < 0 ? "/" : url.slice(start)}`;
}

const bases = new WeakMap<URL, string>();

/** `https://origin.example/prefix` without a trailing slash, once per configured URL. */
function baseOf(origin: URL): string {
  let base = bases.get(origin);
  if (base === undefined) {
    base = `${origin.origin}${origin.pathname.replace(/\/+$/, "")}`;
    bases.set(origin, base);
  }
  return base;
}
