import type { Event, LineOrigin } from "../event";

export interface ParseOptions {
  /** "Now", ms since epoch: the reference for yearless timestamps. */
  now: number;
  /** Year given to yearless timestamps (syslog `Feb 12 14:10:21`); default: the UTC year of `now`. */
  year?: number;
  /** IANA zone for timestamps that carry no offset; default `UTC`. */
  timezone?: string;
}

/**
 * One parser per acquisition type (`nginx`, `apache2`, `syslog`, `traefik`, `journald`,
 * or a custom one). `parse` never throws: a line it does not recognise yields null and
 * is counted as unparsed by the caller.
 */
export interface LogParser {
  readonly type: string;
  parse(raw: string, origin: LineOrigin, opts: ParseOptions): Event | null;
}
