/**
 * One line per event on stderr (journald keeps it under systemd):
 * `2026-11-27T02:10:00.123Z warn spool full: reading paused spool_bytes=268435456`.
 */
import type { LogLevel } from "./config/shipper-config";

export type Fields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  error(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  debug(msg: string, fields?: Fields): void;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

function formatFields(fields: Fields | undefined): string {
  if (fields === undefined) return "";
  let out = "";
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const s = String(v);
    out += ` ${k}=${/[\s"=]/.test(s) || s === "" ? JSON.stringify(s) : s}`;
  }
  return out;
}

function formatLogLine(
  level: LogLevel,
  msg: string,
  fields: Fields | undefined,
  now: Date,
): string {
  return `${now.toISOString()} ${level} ${msg}${formatFields(fields)}\n`;
}

function streamLogger(level: LogLevel, write: (line: string) => void): Logger {
  const at = (l: LogLevel) => (msg: string, fields?: Fields) => {
    if (RANK[l] <= RANK[level]) write(formatLogLine(l, msg, fields, new Date()));
  };
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}

export function stderrLogger(level: LogLevel): Logger {
  return streamLogger(level, (line) => process.stderr.write(line));
}
