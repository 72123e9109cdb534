import { type Event, type LineOrigin, newEvent } from "../event";
import { accessMeta, finishHttp, nonSyslog } from "./http-enrich";
import { nowTime } from "./timestamp-http";

/**
 * One HTTP request as a proxy saw it: what an nginx access line records. The edge
 * (src/edge) fills it for each request it passes to the origin; nothing here reads a
 * platform object.
 */
export interface AccessRecord {
  /** The client address (CF-Connecting-IP). */
  sourceIp: string;
  verb: string;
  /** Path and query as requested (nginx's `$request` URI). */
  request: string;
  /** The origin's status. */
  status: number;
  /** Response body bytes (Content-Length; 0 when the origin streamed without one). */
  bytes: number;
  referer: string;
  userAgent: string;
  /** The Host the request was made to (nginx's `$host`: the vhost prefix). */
  host: string;
  /** `1.1`, `2`, `3`. */
  httpVersion: string;
  /** ms since the epoch. */
  time: number;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * The event crowdsecurity/nginx-logs (then http-logs and dateparse-enrich) makes of the
 * access line nginx would write for `r` (vhost-prefixed combined format: `Line.Raw`
 * holds that line, as evidence reads it), so hub scenarios run on it unmodified. Built
 * field by field rather than by parsing the line: a user agent holding a `"` cannot
 * break it, and the time keeps its milliseconds. Null when `sourceIp` is not an IP (as
 * the parser drops such lines).
 */
export function accessEvent(r: AccessRecord, origin: LineOrigin): Event | null {
  const status = String(r.status);
  const time = httpDate(r.time);
  const evt = newEvent(rawLine(r, status, time), origin);
  nonSyslog(evt, origin.labels.type || "nginx");
  const host = r.host;
  const colon = host.lastIndexOf(":");
  const fqdn = colon > 0 && !host.includes("]", colon) ? host.slice(0, colon) : host;
  evt.Parsed = {
    message: evt.Parsed.message ?? "",
    program: evt.Parsed.program ?? "",
    target_fqdn: fqdn,
    port: fqdn === host ? "" : host.slice(colon + 1),
    remote_addr: r.sourceIp,
    remote_user: "-",
    time_local: time,
    verb: r.verb,
    request: r.request,
    http_version: r.httpVersion,
    status,
    body_bytes_sent: String(r.bytes),
    http_referer: r.referer || "-",
    http_user_agent: r.userAgent || "-",
    request_length: "",
    request_time: "",
    proxy_upstream_name: "",
    proxy_alternative_upstream_name: "",
    impact_completion: "",
    static_ressource: "",
  };
  const p = evt.Parsed;
  accessMeta(evt.Meta, r.sourceIp, status, r.request, r.verb, p.http_user_agent ?? "", fqdn);
  if (!finishHttp(evt, "", { now: r.time })) return null;
  const t = nowTime(r.time);
  evt.Enriched.MarshaledTime = t.marshaled;
  evt.Meta.timestamp = t.marshaled;
  return evt;
}

/** nginx's `$time_local` in UTC: `05/Dec/2026:06:16:42 +0000`. */
export function httpDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** nginx escapes `"`, `\` and control bytes in logged strings as `\xHH`. */
function escaped(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control bytes nginx escapes
  return /["\\\x00-\x1f\x7f]/.test(s)
    ? // biome-ignore lint/suspicious/noControlCharactersInRegex: as above
      s.replace(/["\\\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
    : s;
}

function rawLine(r: AccessRecord, status: string, time: string): string {
  const ref = r.referer ? escaped(r.referer) : "-";
  const ua = r.userAgent ? escaped(r.userAgent) : "-";
  return `${r.host} ${r.sourceIp} - - [${time}] "${r.verb} ${escaped(r.request)} HTTP/${r.httpVersion}" ${status} ${r.bytes} "${ref}" "${ua}"`;
}

/**
 * `EDGE_DETECTION=sample:N`: whether the edge watches this address (one in N, by an
 * FNV-1a hash of its text). By source, not by request: a watched source has every
 * request counted, so the scenarios' thresholds keep their meaning. Ingest uses the same
 * test to leave the watched sources' shipped access lines to the edge.
 */
export function watchedSource(ip: string, oneIn: number): boolean {
  if (oneIn <= 1) return true;
  let h = 0x811c9dc5;
  for (let i = 0; i < ip.length; i++) {
    h ^= ip.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % oneIn === 0;
}
