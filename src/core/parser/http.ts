import { type Event, type LineOrigin, newEvent } from "../event";
import { apacheS01 } from "./apache";
import { finishHttp, nonSyslog } from "./http-enrich";
import { nginxS01 } from "./nginx";
import { traefikS01 } from "./traefik";
import type { LogParser, ParseOptions } from "./types";

/**
 * nginx, apache2 and traefik access/error-log parsers producing the event CrowdSec's hub
 * parsers produce for the same line (s00 non-syslog → s01 nginx-logs / apache2-logs /
 * traefik-logs → s02 http-logs + dateparse-enrich), so hub scenarios run unmodified.
 */

export type HttpFamily = "nginx" | "apache2" | "traefik";

/**
 * An s01 parser: fills the event from `evt.Parsed.message`; StrTime, or null if no node
 * matched. The event holds only what non-syslog set, so its field map is replaced.
 */
type S01 = (evt: Event) => string | null;

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

function stages(family: HttpFamily, evt: Event, opts: ParseOptions): boolean {
  if ((evt.Parsed.message ?? "").length > MAX_HTTP_LINE) return false;
  const strTime = S01_BY_FAMILY[family](evt);
  return strTime !== null && finishHttp(evt, strTime, opts);
}

function httpParser(family: HttpFamily): LogParser {
  return {
    type: family,
    parse(raw: string, origin: LineOrigin, opts: ParseOptions): Event | null {
      if (raw.length > MAX_HTTP_LINE) return null;
      const evt = newEvent(raw, origin);
      nonSyslog(evt, origin.labels.type || family);
      return stages(family, evt, opts) ? evt : null;
    },
  };
}

export const httpParsers: LogParser[] = [
  httpParser("nginx"),
  httpParser("apache2"),
  httpParser("traefik"),
];
