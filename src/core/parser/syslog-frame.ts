import { isoTime, type LogTime, syslogTime, type ZoneOptions } from "./timestamp-syslog";

/**
 * The syslog envelope, as CrowdSec's s00 `crowdsecurity/syslog-logs` node reads it:
 * - `^%{SYSLOGLINE}`: `Feb 12 14:10:21 host prog[pid]: msg`, or with an ISO 8601 stamp
 *   (`2023-11-14T00:20:42.738197+01:00 host prog[pid]: msg`), an optional
 *   `<facility.priority>` before the host. Palisade also accepts a leading `<PRI>`
 *   (RFC 3164 as sent on the wire) and a year after the day (`Feb 12 2024 14:10:21`,
 *   as some devices write), which CrowdSec's grok would not.
 * - RFC 5424 `<34>1 2003-10-11T22:14:15.003Z host app procid msgid [sd] msg`. CrowdSec's
 *   pattern only takes msgid `-` and structured data `-` or `[meta sequenceId="N"]`;
 *   Palisade reads any msgid and structured data and gives the same fields for those.
 * A frame without a program (`prog:`) cannot reach any s01 parser, so it is not a frame.
 * Palisade also reads frames without a host, as some syslog daemons and fail2ban's
 * samples write them (`Feb 17 17:40:17 sshd[19725]: …`, `Mar  3 00:17:22 [sshd]: …`,
 * `[sshd] …` with no colon), and Dovecot's own log file (`Jan 29 09:33:58 pop3-login:
 * Info: …`, `auth-worker(22401): …`); CrowdSec's SYSLOGLINE does not.
 */

export interface SyslogFrame {
  /** `logsource`, copied to `Meta.machine`. */
  host: string;
  program: string;
  /** "" when absent. */
  pid: string;
  message: string;
  /** `Parsed.timestamp` (yearless stamp) or `Parsed.timestamp8601`. */
  stampField: "timestamp" | "timestamp8601";
  stamp: string;
  /**
   * The stamp's time when already known (journald); otherwise `frameTime` reads it from
   * `parts`, only for lines a program parser keeps: most syslog lines are not.
   */
  time?: LogTime;
  parts?: { m: RegExpExecArray; layout: "bsd" | "iso" | "5424" };
  /** RFC 5424 only: `syslog_priority`, `syslog_version`, `seq_id`. */
  rfc5424?: { priority: string; version: string; seqId: string };
}

// Groups: 1 stamp, 2 month, 3 day, 4 year, 5-7 h:m:s, 8 frac | 9 iso, 10-12 y-m-d,
// 13-15 h:m:s, 16 frac, 17 zone | 18 host, 19 program, 20 pid, 21 message.
const BSD = new RegExp(
  [
    String.raw`^(?:<\d{1,3}>)?`,
    String.raw`(?:((Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2})(?: (\d{4}))? (\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?)`,
    String.raw`|((\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?))`,
    String.raw` (?:<\d+\.\d+> )?([0-9A-Za-z.:%-]+)`,
    String.raw` ([\x21-\x5a\x5c\x5e-\x7e]+?)(?:\[([1-9]\d*)\])?: (.*)$`,
  ].join(""),
  "s",
);

// Groups: 1 pri, 2 version, 3 iso, 4-6 y-m-d, 7-9 h:m:s, 10 frac, 11 zone, 12 host,
// 13 app, 14 procid, 15 msgid, 16 structured data, 17 message.
const SD_ELEMENT = String.raw`\[[^\]"]*(?:"(?:[^"\\]|\\.)*"[^\]"]*)*\]`;
const RFC5424 = new RegExp(
  [
    String.raw`^<(\d{1,3})>(\d{1,2}) `,
    String.raw`((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})) `,
    `([0-9A-Za-z.:%-]+) ([!-~]+) ([!-~]+) ([!-~]+) (-|(?:${SD_ELEMENT})+)(?: (.*))?$`,
  ].join(""),
  "s",
);
const META_SEQ = /^\[meta sequenceId="([^"]*)"\]$/;

// The BSD stamp (groups 1-17 as in BSD) without a host: 18 `[program]`, 19 program,
// 20 pid, 21 message.
const HOSTLESS = new RegExp(
  [
    String.raw`^(?:<\d{1,3}>)?`,
    String.raw`(?:((Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2})(?: (\d{4}))? (\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?)`,
    String.raw`|((\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?))`,
    String.raw` (?:\[([0-9A-Za-z_.-]+)\]:?|([0-9A-Za-z_./-]+?(?:\(\w+\))?)(?:\[([1-9]\d*)\])?:) (.*)$`,
  ].join(""),
  "s",
);

function group(m: RegExpExecArray, i: number): string {
  return m[i] ?? "";
}

function stampTime(
  m: RegExpExecArray,
  layout: "bsd" | "iso" | "5424",
  opts: ZoneOptions,
): LogTime | undefined {
  if (layout === "bsd") {
    const hms = [group(m, 5), group(m, 6), group(m, 7)] as const;
    return syslogTime(group(m, 2), group(m, 3), hms, group(m, 8), opts, m[4]);
  }
  const i = layout === "iso" ? 10 : 4;
  return isoTime(
    [group(m, i), group(m, i + 1), group(m, i + 2)],
    [group(m, i + 3), group(m, i + 4), group(m, i + 5)],
    group(m, i + 6),
    group(m, i + 7),
    opts,
  );
}

let memo: { stamp: string; year: number; zone: string; time: LogTime | undefined } | undefined;

/**
 * The frame's time, or undefined when the stamp is no real date (the line is then
 * unparsed). Lines come in bursts with the same stamp, so the last answer is kept.
 */
export function frameTime(frame: SyslogFrame, opts: ZoneOptions): LogTime | undefined {
  if (frame.time || !frame.parts) return frame.time;
  const year = opts.year ?? new Date(opts.now).getUTCFullYear();
  const zone = opts.timezone ?? "UTC";
  const hit = memo;
  if (hit && hit.stamp === frame.stamp && hit.year === year && hit.zone === zone) return hit.time;
  const time = stampTime(frame.parts.m, frame.parts.layout, {
    now: opts.now,
    year,
    timezone: zone,
  });
  memo = { stamp: frame.stamp, year, zone, time };
  return time;
}

function parseBsd(line: string): SyslogFrame | null {
  const m = BSD.exec(line);
  // A "host" ending in ':' is a program (`sshd: msg` on a host-less line), unless it is
  // an IPv6 address.
  if (!m || (m[18]?.endsWith(":") && !m[18].includes("::"))) return parseHostless(line);
  const bsd = m[1] !== undefined;
  return {
    host: group(m, 18),
    program: group(m, 19),
    pid: group(m, 20),
    message: group(m, 21),
    stampField: bsd ? "timestamp" : "timestamp8601",
    stamp: bsd ? group(m, 1) : group(m, 9),
    parts: { m, layout: bsd ? "bsd" : "iso" },
  };
}

function parseHostless(line: string): SyslogFrame | null {
  const m = HOSTLESS.exec(line);
  if (!m) return null;
  const bsd = m[1] !== undefined;
  return {
    host: "",
    program: m[18] ?? group(m, 19),
    pid: group(m, 20),
    message: group(m, 21),
    stampField: bsd ? "timestamp" : "timestamp8601",
    stamp: bsd ? group(m, 1) : group(m, 9),
    parts: { m, layout: bsd ? "bsd" : "iso" },
  };
}

function parse5424(line: string): SyslogFrame | null {
  const m = RFC5424.exec(line);
  if (!m || m[13] === "-") return null;
  const procid = group(m, 14);
  const message = group(m, 17);
  const host = group(m, 12);
  return {
    host: host === "-" ? "" : host,
    program: group(m, 13),
    pid: /^\d+$/.test(procid) ? procid : "",
    // RFC 5424 allows a UTF-8 BOM before the message; it is not part of the text.
    message: message.charCodeAt(0) === 0xfeff ? message.slice(1) : message,
    stampField: "timestamp8601",
    stamp: group(m, 3),
    parts: { m, layout: "5424" },
    rfc5424: {
      priority: group(m, 1),
      version: group(m, 2),
      seqId: META_SEQ.exec(group(m, 16))?.[1] ?? "",
    },
  };
}

/** The syslog frame of a raw line, or null when the line is not syslog with a program. */
export function parseSyslogFrame(raw: string): SyslogFrame | null {
  const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
  if (line.charCodeAt(0) === 60 /* < */) {
    const f = parse5424(line);
    if (f) return f;
  }
  return parseBsd(line);
}
