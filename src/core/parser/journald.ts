import type { SyslogFrame } from "./syslog-frame";
import { unixTime } from "./timestamp-syslog";

/**
 * `journalctl -o json` entries, read as the syslog line journald would have written:
 * program = `SYSLOG_IDENTIFIER` (else `_COMM`), pid = `SYSLOG_PID` (else `_PID`),
 * host = `_HOSTNAME`, message = `MESSAGE` (a string, or an array of bytes when it is
 * not valid UTF-8 — decoded, bad sequences as U+FFFD), time = `__REALTIME_TIMESTAMP`
 * (µs since epoch, kept to the µs in `Parsed.timestamp8601`/`MarshaledTime`, UTC).
 * Routed to the same program parsers as syslog; `Line.Raw` stays the JSON line and the
 * entry itself is `evt.Unmarshaled.journald`. An entry without those fields is unparsed.
 *
 * CrowdSec's journalctl acquisition reads `journalctl`'s text output instead, so the
 * only difference is the stamp field: `timestamp8601` here, `timestamp` there.
 */

export interface JournalEntry {
  frame: SyslogFrame;
  entry: Record<string, unknown>;
}

function text(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Decodes UTF-8 bytes; bad sequences become U+FFFD. Undefined when not an array of bytes. */
export function decodeUtf8(bytes: readonly unknown[]): string | undefined {
  const codes: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (typeof b !== "number" || !Number.isInteger(b) || b < 0 || b > 255) return undefined;
    const [cp, used] = codePointAt(bytes as readonly number[], i, b);
    codes.push(cp);
    i += used;
  }
  let out = "";
  for (let j = 0; j < codes.length; j += 4096)
    out += String.fromCodePoint(...codes.slice(j, j + 4096));
  return out;
}

function codePointAt(bytes: readonly number[], i: number, b: number): [number, number] {
  const len =
    b < 0x80
      ? 1
      : b >= 0xc2 && b < 0xe0
        ? 2
        : b >= 0xe0 && b < 0xf0
          ? 3
          : b >= 0xf0 && b < 0xf5
            ? 4
            : 0;
  if (len === 1) return [b, 1];
  if (len === 0) return [0xfffd, 1];
  let cp = b & (0xff >> (len + 1));
  for (let k = 1; k < len; k++) {
    const c = bytes[i + k];
    if (typeof c !== "number" || (c & 0xc0) !== 0x80) return [0xfffd, k];
    cp = (cp << 6) | (c & 0x3f);
  }
  const min = len === 2 ? 0x80 : len === 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return [0xfffd, len];
  return [cp, len];
}

function messageOf(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  return Array.isArray(v) ? decodeUtf8(v) : undefined;
}

function realtime(v: unknown): ReturnType<typeof unixTime> {
  const us = text(v);
  if (us === undefined || !/^\d{7,17}$/.test(us)) return undefined;
  return unixTime(`${us.slice(0, -6)}.${us.slice(-6)}`, "s");
}

function parseJson(raw: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    return v !== null && typeof v === "object" && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The syslog-like frame of a `journalctl -o json` line, or null. */
export function journalEntry(raw: string): JournalEntry | null {
  if (raw.charCodeAt(0) !== 123 /* { */) return null;
  const entry = parseJson(raw);
  if (!entry) return null;
  const program = text(entry.SYSLOG_IDENTIFIER) ?? text(entry._COMM);
  const message = messageOf(entry.MESSAGE);
  const time = realtime(entry.__REALTIME_TIMESTAMP);
  if (!program || message === undefined || !time) return null;
  const pid = text(entry.SYSLOG_PID) ?? text(entry._PID) ?? "";
  const frame: SyslogFrame = {
    host: text(entry._HOSTNAME) ?? "",
    program,
    pid: /^\d+$/.test(pid) ? pid : "",
    message,
    stampField: "timestamp8601",
    stamp: time.marshaled,
    time,
  };
  return { frame, entry };
}
