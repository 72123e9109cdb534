import type { Event, LineOrigin } from "../event";
import type { ParseState } from "./parse-state";

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
 * is counted as unparsed by the caller. `state`, when given, is the stream's memory
 * (sshd sessions) and receives in `state.reason` why a line it recognised yielded no
 * event (a host name where an address should be, an ambiguous line); without it, lines
 * that need the session (sshd's address-less ones) yield no event.
 */
export interface LogParser {
  readonly type: string;
  parse(raw: string, origin: LineOrigin, opts: ParseOptions, state?: ParseState): Event | null;
}
