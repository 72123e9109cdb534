import { journalEntry } from "./journald";
import { frameEvent } from "./syslog-event";
import { parseSyslogFrame } from "./syslog-frame";
import type { LogParser } from "./types";

/**
 * The `syslog` acquisition type: one frame regex (RFC 3164 with or without `<PRI>`, its
 * ISO 8601 variant, RFC 5424), then the program's parser picked from a Map by name
 * (sshd, postfix, dovecot; see program.ts), then that program's patterns. The result
 * carries exactly the fields CrowdSec's syslog-logs → s01 → dateparse-enrich stages set.
 */
const syslogParser: LogParser = {
  type: "syslog",
  parse(raw, origin, opts) {
    const frame = parseSyslogFrame(raw);
    return frame ? frameEvent(raw, origin, frame, opts) : null;
  },
};

/** The `journald` type: `journalctl -o json` lines, routed to the same program parsers. */
const journaldParser: LogParser = {
  type: "journald",
  parse(raw, origin, opts) {
    const j = journalEntry(raw);
    if (!j) return null;
    const evt = frameEvent(raw, origin, j.frame, opts);
    if (evt) evt.Unmarshaled.journald = j.entry;
    return evt;
  },
};

export const syslogParsers: LogParser[] = [syslogParser, journaldParser];
