import type { Event } from "../../../src/core/event";

const FRAME_PARSED = new Set([
  "logsource",
  "program",
  "pid",
  "message",
  "timestamp",
  "timestamp8601",
  "syslog_priority",
  "syslog_version",
  "seq_id",
]);
const FRAME_META = new Set(["machine", "datasource_path", "datasource_type", "timestamp"]);

/** True for the event of a well-formed syslog line whose message no program parser read. */
export function isFrameOnly(evt: Event): boolean {
  return (
    Object.keys(evt.Parsed).every((k) => FRAME_PARSED.has(k)) &&
    Object.keys(evt.Meta).every((k) => FRAME_META.has(k))
  );
}

/**
 * The event if a program parser (CrowdSec's s01 stage) recognised the message, else
 * null: lets tests state what the hub's s01 nodes read, now that frame-only lines are
 * events too (without a log_type, so no scenario matches them).
 */
export function recognised(evt: Event | null | undefined): Event | null {
  return evt && !isFrameOnly(evt) ? evt : null;
}
