import { type Event, type LineOrigin, newEvent } from "../event";
import { apacheS01 } from "./apache";
import { finishHttp, nonSyslog } from "./http-enrich";
import { nginxS01 } from "./nginx";
import type { ParseState } from "./parse-state";
import { traefikS01 } from "./traefik";
import type { LogParser, ParseOptions } from "./types";
import { hostKind, isRefused, type Refused } from "./unparsed-reason";

/**
 * nginx, apache2 and traefik access/error-log parsers producing the event CrowdSec's hub
 * parsers produce for the same line (s00 non-syslog → s01 nginx-logs / apache2-logs /
 * traefik-logs → s02 http-logs + dateparse-enrich), so hub scenarios run unmodified.
 */

export type HttpFamily = "nginx" | "apache2" | "traefik";

/**
 * An s01 parser: fills the event from `evt.Parsed.message`; StrTime, null if no node
 * matched, or why a line it recognised makes no event. The event holds only what the s00
 * stage set (message, program), so its field map is replaced.
 */
type S01 = (evt: Event) => string | null | Refused;

const S01_BY_FAMILY: Record<HttpFamily, S01> = {
  nginx: nginxS01,
  apache2: apacheS01,
  traefik: traefikS01,
};

/**
 * Lines longer than this are unparsed. Server limits keep real access lines far below it
 * (nginx's default request line and header buffers are 8 KiB), and it bounds the work
 * a hostile line can cost.
 */
const MAX_HTTP_LINE = 64 * 1024;

/**
 * What s01 + s02 made of an event: `stamped` (the line's own time is the event's),
 * `unstamped` (an error line without a date, as Apache writes to syslog: the caller
 * sets the time), or the reason there is no event: `unread` (no s01 node matched),
 * `hostname` / `no-source` (matched, but the client is a host name or missing),
 * `ambiguous` (the client's text repeats the server's, giving two readings).
 */
export type HttpOutcome =
  | "stamped"
  | "unstamped"
  | "unread"
  | "hostname"
  | "ambiguous"
  | "no-source";

/**
 * s01 + s02 for an event whose `Parsed.message` and `program` an s00 stage has set, and
 * nothing else (nonSyslog, or web-program.ts for a syslog-wrapped line). Fills it in place.
 */
export function httpStages(family: HttpFamily, evt: Event, opts: ParseOptions): HttpOutcome {
  if ((evt.Parsed.message ?? "").length > MAX_HTTP_LINE) return "unread";
  const strTime = S01_BY_FAMILY[family](evt);
  if (strTime === null) return "unread";
  if (isRefused(strTime)) return strTime.refused === "ambiguous" ? "ambiguous" : "hostname";
  if (finishHttp(evt, strTime, opts)) return strTime === "" ? "unstamped" : "stamped";
  return hostKind(evt.Meta.source_ip ?? "") === "hostname" ? "hostname" : "no-source";
}

function httpParser(family: HttpFamily): LogParser {
  return {
    type: family,
    parse(raw: string, origin: LineOrigin, opts: ParseOptions, state?: ParseState): Event | null {
      if (state) state.reason = undefined;
      if (raw.length > MAX_HTTP_LINE) return null;
      const evt = newEvent(raw, origin);
      nonSyslog(evt, origin.labels.type || family);
      const outcome = httpStages(family, evt, opts);
      if (outcome === "stamped" || outcome === "unstamped") return evt;
      if ((outcome === "hostname" || outcome === "ambiguous") && state) state.reason = outcome;
      return null;
    },
  };
}

export const httpParsers: LogParser[] = [
  httpParser("nginx"),
  httpParser("apache2"),
  httpParser("traefik"),
];
