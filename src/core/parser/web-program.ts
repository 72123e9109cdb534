import type { Event } from "../event";
import { httpStages } from "./http";
import type { ProgramContext, ProgramVerdict } from "./program-context";

/**
 * Web server lines shipped through syslog or journald (nginx's `access_log syslog:…`,
 * Apache's `ErrorLog syslog` or a `logger` pipe, `journalctl -u nginx`): the message is
 * the line the server would have written to its file, read by the same s01 and s02
 * stages as the file (CrowdSec's nginx-logs and apache2-logs filter on the program name
 * the same way). The event is the file line's, plus the syslog frame's fields; its time
 * is the line's own stamp, or the frame's when the line has none (Apache's syslog error
 * lines carry no date).
 */
export function parseWebProgram(message: string, evt: Event, ctx: ProgramContext): ProgramVerdict {
  const family = ctx.program.startsWith("nginx") ? "nginx" : "apache2";
  // The stages write as they go: run them on a scratch event so that a line they do
  // not read leaves `evt` as the frame-only event it then is.
  const scratch: Event = {
    ...evt,
    Parsed: { message, program: ctx.program },
    Meta: {},
    Enriched: {},
  };
  const outcome = httpStages(family, scratch, ctx.opts);
  if (outcome === "hostname" || outcome === "ambiguous") return outcome;
  if (outcome !== "stamped" && outcome !== "unstamped") return false;
  Object.assign(evt.Parsed, scratch.Parsed);
  Object.assign(evt.Meta, scratch.Meta);
  Object.assign(evt.Enriched, scratch.Enriched);
  if (outcome === "stamped") {
    evt.Time = scratch.Time;
    ctx.timed = true;
  }
  return true;
}
