import type { EdgeDetection } from "../config";
import { type AccessRecord, watchedSource } from "../core/parser/index";

/**
 * What edge-native detection records of a request the edge passed to the origin: the
 * fields of an nginx access line (the core turns it into the event nginx's parser would
 * make, `accessEvent`). Read from the request and the origin's answer headers only (the
 * body is streamed to the visitor untouched), after the answer has gone.
 */

/**
 * The record of `request` answered `response` at `now`, or undefined when it is not
 * watched: detection off, no client address, or (`sample:N`) a source outside the
 * sampled 1/N.
 */
export function accessRecordOf(
  request: Request,
  response: Response,
  detection: EdgeDetection,
  now: number,
): AccessRecord | undefined {
  if (!detection.enabled) return undefined;
  const ip = request.headers.get("CF-Connecting-IP");
  if (!ip) return undefined;
  if (!watchedSource(ip, detection.sampleOneIn)) return undefined;
  const h = request.headers;
  const url = request.url;
  const hostStart = url.indexOf("//") + 2;
  const pathStart = url.indexOf("/", hostStart);
  const length = Number(response.headers.get("Content-Length"));
  return {
    sourceIp: ip,
    verb: request.method,
    request: pathStart < 0 ? "/" : url.slice(pathStart),
    status: response.status,
    bytes: Number.isFinite(length) ? length : 0,
    referer: h.get("Referer") ?? "",
    userAgent: h.get("User-Agent") ?? "",
    host: h.get("Host") ?? (pathStart < 0 ? url.slice(hostStart) : url.slice(hostStart, pathStart)),
    httpVersion: httpVersionOf(request),
    time: now,
  };
}

/** `request.cf.httpProtocol` (`HTTP/2`) as nginx logs it (`2`); `1.1` when unknown. */
function httpVersionOf(request: Request): string {
  const proto = (request as { cf?: { httpProtocol?: unknown } }).cf?.httpProtocol;
  return typeof proto === "string" && proto.startsWith("HTTP/") ? proto.slice(5) : "1.1";
}
