import type { LogParser } from "./types";

/** syslog (sshd, postfix, dovecot by program) and journald parsers (to be implemented). */
export const syslogParsers: LogParser[] = [];
