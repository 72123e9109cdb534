/**
 * Every scalar setting of the shipper, with its default, its flag and its environment
 * variable, so that the config file, `PALISADE_SHIP_*` and `--flags` name the same things.
 * A dotted key `batch.max_lines` is written nested in the file (`batch: {max_lines: …}`),
 * `--batch-max-lines` as a flag and `PALISADE_SHIP_BATCH_MAX_LINES` in the environment.
 * Precedence: flag, then environment, then file, then default.
 */
import type { Diagnostic } from "./diagnostic";
import { parseDuration, parseSize } from "./units";
import type { Scalar } from "./yaml";

export type SettingKind = "string" | "duration" | "size" | "int" | "bool" | "level";

export interface Setting {
  key: string;
  kind: SettingKind;
  default?: string | number | boolean;
  min?: number;
  max?: number;
}

export const SETTINGS: readonly Setting[] = [
  { key: "url", kind: "string" },
  { key: "token", kind: "string" },
  { key: "token_file", kind: "string" },
  { key: "state_dir", kind: "string" },
  { key: "gzip", kind: "bool", default: true },
  { key: "gzip_level", kind: "int", default: 1, min: 1, max: 9 },
  { key: "batch.max_lines", kind: "int", default: 2000, min: 1, max: 100_000 },
  // The Worker refuses bodies over 5 MB (MAX_INGEST_BYTES) and lines over 64 KiB.
  { key: "batch.max_bytes", kind: "size", default: 524_288, min: 1024, max: 4_194_304 },
  { key: "batch.max_wait", kind: "duration", default: 500, min: 1 },
  { key: "max_line_bytes", kind: "size", default: 65_536, min: 64, max: 65_536 },
  { key: "spool.max_bytes", kind: "size", default: 268_435_456, min: 1 },
  { key: "retry.initial", kind: "duration", default: 500, min: 1 },
  { key: "retry.max", kind: "duration", default: 60_000, min: 1 },
  { key: "request_timeout", kind: "duration", default: 30_000, min: 1 },
  { key: "poll_interval", kind: "duration", default: 2000, min: 1 },
  { key: "rotate_wait", kind: "duration", default: 5000, min: 0 },
  { key: "stats_interval", kind: "duration", default: 60_000, min: 0 },
  { key: "shutdown_timeout", kind: "duration", default: 5000, min: 0 },
  { key: "log_level", kind: "level", default: "info" },
  { key: "journalctl_path", kind: "string", default: "journalctl" },
];

const SECTIONS = new Set(
  SETTINGS.filter((s) => s.key.includes(".")).map((s) => s.key.split(".")[0]),
);

export function isSection(key: string): boolean {
  return SECTIONS.has(key);
}

export function settingByKey(key: string): Setting | undefined {
  return SETTINGS.find((s) => s.key === key);
}

export function flagName(s: Setting): string {
  return s.key.replace(/[._]/g, "-");
}

export function envName(s: Setting): string {
  return `PALISADE_SHIP_${s.key.replace(/\./g, "_").toUpperCase()}`;
}

export type SettingValue = string | number | boolean;

/** A raw value and where it came from (for messages). */
export interface RawSetting {
  value: Scalar;
  origin: string;
}

const LEVELS = ["error", "warn", "info", "debug"];

function bad(s: Setting, raw: RawSetting, rule: string): Diagnostic {
  return {
    code: "config.value.invalid",
    path: `${raw.origin} ${s.key}`,
    message: `${JSON.stringify(raw.value)} is not valid for ${s.key}: ${rule}`,
  };
}

function coerceBool(v: Scalar): boolean | undefined {
  if (typeof v === "boolean") return v;
  const t = String(v).toLowerCase();
  if (["true", "1", "yes", "on"].includes(t)) return true;
  if (["false", "0", "no", "off"].includes(t)) return false;
  return undefined;
}

function coerceNumber(s: Setting, v: Scalar): number | undefined {
  if (v === null || typeof v === "boolean") return undefined;
  if (s.kind === "duration") return parseDuration(v);
  if (s.kind === "size") return parseSize(v);
  const n = typeof v === "number" ? v : /^-?\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
  return Number.isInteger(n) ? n : undefined;
}

const RULES: Record<SettingKind, string> = {
  string: "expected a non-empty string",
  bool: "expected true or false",
  level: `expected one of ${LEVELS.join(", ")}`,
  int: "expected an integer",
  duration: 'expected a duration such as "500ms", "2s", "1m" (a bare number is seconds)',
  size: 'expected a size such as "512KiB", "256MB" (a bare number is bytes)',
};

/** Converts one raw value, or explains why it cannot be. */
export function coerce(s: Setting, raw: RawSetting): SettingValue | Diagnostic {
  const v = raw.value;
  if (s.kind === "string")
    return typeof v === "string" && v.trim() !== "" ? v.trim() : bad(s, raw, RULES.string);
  if (s.kind === "bool") return coerceBool(v) ?? bad(s, raw, RULES.bool);
  if (s.kind === "level") return LEVELS.includes(String(v)) ? String(v) : bad(s, raw, RULES.level);
  const n = coerceNumber(s, v);
  if (n === undefined) return bad(s, raw, RULES[s.kind]);
  if (s.min !== undefined && n < s.min) return bad(s, raw, `must be at least ${s.min}`);
  if (s.max !== undefined && n > s.max) return bad(s, raw, `must be at most ${s.max}`);
  return n;
}
