import { deny } from "./pages";

/**
 * Passes a clean visitor's request to the origin: method, end-to-end headers (cookies,
 * `X-Forwarded-For` included), body streamed, and the origin's answer streamed back
 * (status, headers, redirects not followed). With ORIGIN_URL the URL's origin (and any
 * path prefix) is replaced; without it the request goes to the route's own origin, which
 * on Cloudflare does not pass through this Worker again.
 *
 * As a proxy must (RFC 9110 §7.6.1), hop-by-hop headers stop here in both directions:
 * `Connection` and every header it nominates, `Proxy-Authorization` (the client's
 * credentials for a proxy, never for the origin), `Keep-Alive`, `TE`, `Trailer`,
 * `Transfer-Encoding`, `Upgrade`, `Proxy-Connection`. A WebSocket upgrade keeps its
 * `Upgrade: websocket` and `Connection: Upgrade`, which the runtime needs to open it.
 *
 * Each hop adds the host it was received on to `X-Palisade-Loop`; a request arriving on
 * a host the header already names went round in a circle (under `wrangler dev` without
 * ORIGIN_URL the route's own origin is the Worker itself) and is answered 508 instead
 * of being sent round again until the runtime runs out of sockets.
 */

export const LOOP_HEADER = "X-Palisade-Loop";

/** Request and response headers that never cross a proxy (lower case). */
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
] as const;

export async function proxyToOrigin(
  request: Request,
  originUrl: URL | undefined,
): Promise<Response> {
  const host = hostOf(request.url);
  const seen = request.headers.get(LOOP_HEADER);
  if (seen !== null && namesHost(seen, host)) return loop(request, host, originUrl);
  const target = originUrl ? rewrite(request.url, originUrl) : request.url;
  const headers = endToEnd(request.headers);
  headers.set(LOOP_HEADER, seen === null ? host : `${seen}, ${host}`);
  let response: Response;
  try {
    response = await fetch(target, {
      method: request.method,
      headers,
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
  return withoutHopByHop(response);
}

/** The request's end-to-end headers: a copy without the hop-by-hop ones. */
export function endToEnd(incoming: Headers): Headers {
  const headers = new Headers(incoming);
  const websocket = incoming.get("upgrade")?.trim().toLowerCase() === "websocket";
  dropHopByHop(headers);
  if (websocket) {
    headers.set("Upgrade", "websocket");
    headers.set("Connection", "Upgrade");
  }
  return headers;
}

function dropHopByHop(headers: Headers): void {
  const nominated = headers.get("connection");
  if (nominated !== null) {
    for (const name of nominated.split(",")) {
      const n = name.trim();
      if (n !== "") headers.delete(n);
    }
  }
  for (const name of HOP_BY_HOP) headers.delete(name);
}

/** The origin's answer as is, or a copy without hop-by-hop headers when it sent any. */
function withoutHopByHop(response: Response): Response {
  // A WebSocket answer (101) is the runtime's to handle; it is never rebuilt.
  if (response.status === 101 || response.webSocket) return response;
  const h = response.headers;
  if (!HOP_BY_HOP.some((name) => h.has(name))) return response;
  const copy = new Response(response.body, response);
  dropHopByHop(copy.headers);
  return copy;
}

/** `host[:port]` of an absolute URL, by string slicing (no URL parse per request). */
function hostOf(url: string): string {
  const start = url.indexOf("//") + 2;
  const end = url.indexOf("/", start);
  return (end < 0 ? url.slice(start) : url.slice(start, end)).toLowerCase();
}

function namesHost(list: string, host: string): boolean {
  return list.split(",").some((h) => h.trim().toLowerCase() === host);
}

function loop(request: Request, host: string, originUrl: URL | undefined): Response {
  const fix = originUrl
    ? `ORIGIN_URL (${originUrl.origin}) leads back to this Worker; point it at the origin server itself.`
    : "ORIGIN_URL is not set, so the Worker forwards to the request's own URL, which is the Worker itself (as under `wrangler dev`). Set ORIGIN_URL to your origin: wrangler.toml [vars], or `wrangler dev --var ORIGIN_URL:http://127.0.0.1:8080`.";
  console.error("palisade.origin.loop", { host, message: `Request loop on ${host}: ${fix}` });
  return deny(request, {
    status: 508,
    code: "origin_loop",
    title: "Loop detected",
    message: `Palisade forwarded this request to itself (${host}). ${fix}`,
  });
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
