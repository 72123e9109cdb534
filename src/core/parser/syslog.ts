import { journalEntry } from "./journald";
import { frameEvent } from "./syslog-event";
import { parseSyslogFrame } from "./syslog-frame";
import type { LogParser } from "./types";

/**
 * The `syslog` acquisition type: one frame regex (RFC 3164 with or without `<PRI>`, its
 * ISO 8601 variant, RFC 5424), then the program's parser picked from a Map by name
 * (sshd, postfix, dovecot, nginx, apache; see program.ts), then that program's patterns.
 * The result carries exactly the fields CrowdSec's syslog-logs → s01 → dateparse-enrich
 * stages set for the lines CrowdSec reads, and Palisade's own log types for the attack
 * lines it reads beyond them (see src/core/README.md).
 */
const syslogParser: LogParser = {
  type: "syslog",
  parse(raw, origin, opts, state) {
    if (state) state.reason = undefined;
    const frame = parseSyslogFrame(raw);
    return frame ? frameEvent(raw, origin, frame, opts, state) : null;
  },
};

/** The `journald` type: `journalctl -o json` lines, routed to the same program parsers. */
const journaldParser: LogParser = {
  type: "journald",
  parse(raw, origin, opts, state) {
    if (state) state.reason = undefined;
    const j = journalEntry(raw);
    if (!j) return null;
    const evt = frameEvent(raw, origin, j.frame, opts, state);
    if (evt) evt.Unmarshaled.journald = j.entry;
    return evt;
  },
};

export const syslogParsers: LogParser[] = [syslogParser, journaldParser];
