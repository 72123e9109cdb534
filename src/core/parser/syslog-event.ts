import { type Event, type LineOrigin, newEvent } from "../event";
import type { ParseState } from "./parse-state";
import { parseProgramMessage } from "./program";
import type { ProgramContext } from "./program-context";
import { frameTime, type SyslogFrame } from "./syslog-frame";
import type { ParseOptions } from "./types";

/**
 * Builds the event CrowdSec's stages leave for a syslog line, in one pass:
 * s00 syslog-logs (`Parsed.program/pid/message/timestamp|timestamp8601`,
 * `Parsed.logsource: syslog`, `Meta.machine`, `Meta.datasource_path/type`), the s01
 * program parser, then s02 dateparse-enrich (`Enriched.MarshaledTime`, `Meta.timestamp`).
 * When no s01 parser recognises the message (CRON, sudo, an sshd "Server listening"),
 * the line is still a well-formed syslog line: it becomes an event with the s00 fields
 * only and no `Meta.log_type`, so no scenario matches it, and only lines that are not
 * syslog at all count as unparsed. (CrowdSec drops such events after s01; hubtest's
 * "s01 failure" is this event's missing log_type.) One exception: a line a program
 * parser recognises as an attack it cannot attribute (sshd wrote a host name, or no
 * address and the session is unknown) is unparsed, its reason in `state.reason`, so an
 * operator sees what was missed.
 */
export function frameEvent(
  raw: string,
  origin: LineOrigin,
  frame: SyslogFrame,
  opts: ParseOptions,
  state: ParseState | undefined,
): Event | null {
  const evt = newEvent(raw, origin);
  const ctx = programContext(frame, opts, state);
  const verdict = parseProgramMessage(frame.program, frame.message, evt, ctx);
  if (typeof verdict === "string") {
    if (state) state.reason = verdict;
    return null;
  }
  const time = frameTime(frame, opts);
  if (!time) return null;
  const p = evt.Parsed;
  // s01 captures win over s00 ones of the same name, as in CrowdSec's merge order.
  p.logsource ??= "syslog";
  p.program ??= frame.program;
  if (frame.pid !== "") p.pid ??= frame.pid;
  p.message ??= frame.message;
  p[frame.stampField] ??= frame.stamp;
  const r = frame.rfc5424;
  if (r) {
    p.syslog_priority ??= r.priority;
    p.syslog_version ??= r.version;
    if (r.seqId !== "") p.seq_id ??= r.seqId;
  }
  const meta = evt.Meta;
  if (frame.host !== "") meta.machine = frame.host;
  if (origin.src !== "") meta.datasource_path = origin.src;
  if (origin.module !== "") meta.datasource_type = origin.module;
  // A web line's own stamp (nginx's time_local) is the event's time, as CrowdSec's
  // nginx-logs sets StrTime; every other program takes the frame's.
  if (ctx.timed) return evt;
  evt.Time = time.ms;
  evt.Enriched.MarshaledTime = time.marshaled;
  meta.timestamp = time.marshaled;
  return evt;
}

function programContext(
  frame: SyslogFrame,
  opts: ParseOptions,
  state: ParseState | undefined,
): ProgramContext {
  return {
    host: frame.host,
    program: frame.program,
    pid: frame.pid,
    time: () => frameTime(frame, opts)?.ms ?? Number.NaN,
    state,
    opts,
    timed: false,
  };
}
