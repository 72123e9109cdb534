import { httpParsers } from "./http";
import { syslogParsers } from "./syslog";
import type { LogParser } from "./types";

export { ParseState } from "./parse-state";
export type { LogParser, ParseOptions } from "./types";

const builtins = new Map<string, LogParser>(
  [...httpParsers, ...syslogParsers].map((p) => [p.type, p]),
);

/** The built-in parser for an acquisition type (`nginx`, `apache2`, `syslog`, `traefik`, `journald`). */
export function parserFor(type: string): LogParser | undefined {
  return builtins.get(type);
}

export function parserTypes(): string[] {
  return [...builtins.keys()].sort();
}
export { type AccessRecord, accessEvent, httpDate, watchedSource } from "./access-event";
