import { type ConfigDocument, issuesToDiagnostics, readDocuments } from "../config-file";
import { type Diagnostic, error, type Result } from "../diagnostic";
import { type Event, type LineOrigin, newEvent } from "../event";
import { compileRegex, type SafeRegex } from "../regex";
import {
  type CustomSpec,
  checkSpec,
  customSchema,
  groupNames,
  knownKeys,
  type TimeFormat,
  targetOf,
} from "./custom-schema";
import { isIpToken } from "./program-ip";
import { clfTime, isoTime, type LogTime, syslogTime, unixTime } from "./timestamp-syslog";
import type { LogParser, ParseOptions } from "./types";

/**
 * User-supplied line parsers: one YAML file, one acquisition label (format documented in
 * custom-schema.ts). The pattern runs on RE2 (compileRegex), so no pattern a user writes
 * can backtrack catastrophically on a hostile line.
 */

const BUILTINS = ["nginx", "apache2", "syslog", "traefik", "journald"];

interface Static {
  map: "Meta" | "Parsed";
  key: string;
  group?: string;
  value?: string;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const SYSLOG = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?$/;

/** Reads a stamp in one of the documented formats; undefined when it is not one. */
export function parseTime(
  text: string,
  format: TimeFormat,
  opts: ParseOptions,
): LogTime | undefined {
  switch (format) {
    case "clf":
      return clfTime(text);
    case "unix":
      return unixTime(text, "s");
    case "unix_ms":
      return unixTime(text, "ms");
    case "syslog": {
      const m = SYSLOG.exec(text);
      return m
        ? syslogTime(
            m[1] as string,
            m[2] as string,
            [m[3], m[4], m[5]] as [string, string, string],
            m[6] ?? "",
            opts,
          )
        : undefined;
    }
    case "rfc3339": {
      const m = ISO.exec(text);
      if (!m) return undefined;
      const g = (i: number) => m[i] ?? "";
      return isoTime([g(1), g(2), g(3)], [g(4), g(5), g(6)], g(7), g(8), opts);
    }
  }
}

function buildParser(spec: CustomSpec, re: SafeRegex): LogParser {
  const statics: Static[] = (spec.statics ?? []).map((s) => ({
    ...targetOf(s.target),
    ...(s.group !== undefined ? { group: s.group } : {}),
    ...(s.value !== undefined ? { value: s.value } : {}),
  }));
  const stamp = spec.timestamp;
  return {
    type: spec.type,
    parse(raw: string, origin: LineOrigin, opts: ParseOptions): Event | null {
      const groups = re.match(raw);
      if (!groups) return null;
      const evt = newEvent(raw, origin);
      for (const k in groups) if (groups[k]) evt.Parsed[k] = groups[k] as string;
      for (const s of statics) {
        const v = s.group !== undefined ? (groups[s.group] ?? "") : (s.value ?? "");
        if (v !== "") evt[s.map][s.key] = v;
      }
      const ip = evt.Meta.source_ip;
      if (ip !== undefined && !isIpToken(ip)) return null;
      evt.Parsed.program ??= spec.type;
      evt.Parsed.message ??= raw;
      if (origin.src !== "") evt.Meta.datasource_path = origin.src;
      if (origin.module !== "") evt.Meta.datasource_type = origin.module;
      evt.Time = opts.now;
      if (!stamp) return evt;
      const t = parseTime(groups[stamp.group] ?? "", stamp.format, opts);
      if (!t) return null;
      evt.Time = t.ms;
      evt.Enriched.MarshaledTime = t.marshaled;
      evt.Meta.timestamp = t.marshaled;
      return evt;
    },
  };
}

function compileDoc(doc: ConfigDocument, diags: Diagnostic[]): LogParser | undefined {
  const parsed = customSchema.safeParse(doc.value);
  if (!parsed.success) {
    diags.push(...issuesToDiagnostics(parsed.error.issues, doc, "custom-parser", knownKeys));
    return undefined;
  }
  const spec = parsed.data;
  const re = compileRegex(spec.pattern, { path: doc.at(["pattern"]) });
  if (!re.ok) {
    diags.push(...re.errors);
    return undefined;
  }
  diags.push(...checkSpec(spec, groupNames(spec.pattern), BUILTINS, doc));
  return buildParser(spec, re.value);
}

/**
 * Compiles a custom parser file. All problems come back as diagnostics naming the file,
 * the field and the fix; warnings (no meta.source_ip) do not stop compilation.
 */
export function compileCustomParser(yamlText: string, path: string): Result<LogParser> {
  const diags: Diagnostic[] = [];
  const docs = readDocuments({ path, text: yamlText }, "custom-parser.yaml", diags);
  if (docs.length !== 1 && diags.length === 0) {
    const what = docs.length === 0 ? "is empty" : `has ${docs.length} documents`;
    diags.push(
      error(
        "custom-parser.documents",
        path,
        `${path} ${what}; a custom parser file holds exactly one YAML document (type, pattern, …).`,
      ),
    );
  }
  const doc = docs[0];
  const parser = doc && docs.length === 1 ? compileDoc(doc, diags) : undefined;
  const errors = diags.filter((d) => d.severity === "error");
  if (!parser || errors.length > 0)
    return { ok: false, errors: errors.length > 0 ? errors : diags };
  return { ok: true, value: parser, warnings: diags };
}
