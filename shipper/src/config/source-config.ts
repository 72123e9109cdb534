/**
 * The `sources:` list of the config, modelled on CrowdSec's acquis.yaml: each source has
 * `paths` (files or globs) or `source: journald` / `source: stdin`, a `type` label the
 * Worker parses by (`nginx`, `syslog`, …) and optional `labels`. CrowdSec spellings that
 * mean something else here (`filenames`, `labels.type`, `mode`) get a message saying what
 * to write instead.
 */
import type { Diagnostic } from "./diagnostic";
import { suggest } from "./suggest";
import type { YamlEntry, YamlNode } from "./yaml";

export type SourceKind = "file" | "journald" | "stdin";

export interface SourceConfig {
  kind: SourceKind;
  type: string;
  labels: Record<string, string>;
  paths: string[];
  exclude: string[];
  startAt: "beginning" | "end";
  journalctlFilter: string[];
  /** Stable across restarts while the source's definition is unchanged. */
  id: string;
}

const MAX_LABELS = 32;

const KEYS = ["source", "type", "labels", "paths", "exclude", "start_at", "journalctl_filter"];

const CROWDSEC_HINTS: Record<string, string> = {
  filenames: "the shipper calls CrowdSec's filenames `paths` (a list of files or globs): rename it",
  filename: "the shipper calls CrowdSec's filename `paths` (a list): write `paths: [FILE]`",
  mode: "the shipper always tails; for a one-off read of a file use `palisade-ship --once FILE`",
  poll_without_inotify: "polling is automatic; tune the global `poll_interval` instead",
  use_time_machine: "the Worker always uses the log's own timestamps; remove it",
};

const KINDS: Record<string, SourceKind> = {
  file: "file",
  journald: "journald",
  journalctl: "journald",
  stdin: "stdin",
};

interface Ctx {
  file: string;
  errors: Diagnostic[];
  at: string;
}

function err(ctx: Ctx, node: { line: number; col: number }, code: string, message: string): void {
  ctx.errors.push({ code, path: `${ctx.file}:${node.line}:${node.col} ${ctx.at}`, message });
}

function stringOf(ctx: Ctx, e: YamlEntry): string | undefined {
  const v = e.value;
  if (v.kind === "scalar" && typeof v.value === "string" && v.value !== "") return v.value;
  err(ctx, v, "config.source.invalid", `${e.key} must be a non-empty string`);
  return undefined;
}

function stringList(ctx: Ctx, e: YamlEntry): string[] {
  const v = e.value;
  const items = v.kind === "seq" ? v.items : [v];
  const out: string[] = [];
  for (const item of items) {
    if (item.kind === "scalar" && typeof item.value === "string" && item.value !== "")
      out.push(item.value);
    else err(ctx, item, "config.source.invalid", `${e.key} must be a list of non-empty strings`);
  }
  return out;
}

function labelsOf(ctx: Ctx, e: YamlEntry): Record<string, string> {
  const labels: Record<string, string> = {};
  if (e.value.kind !== "map") {
    err(ctx, e.value, "config.source.invalid", "labels must be a mapping of names to strings");
    return labels;
  }
  if (e.value.entries.length > MAX_LABELS)
    err(ctx, e.value, "config.source.labels", `at most ${MAX_LABELS} labels (the Worker's limit)`);
  for (const l of e.value.entries) {
    if (l.key === "type")
      err(
        ctx,
        l,
        "config.source.labels_type",
        "write the type at the source level (`type: …`), not under labels (CrowdSec's labels.type)",
      );
    else if (l.value.kind === "scalar" && l.value.value !== null)
      labels[l.key] = String(l.value.value);
    else err(ctx, l.value, "config.source.invalid", `label ${l.key} must be a string`);
  }
  return labels;
}

function unknownKey(ctx: Ctx, e: YamlEntry): void {
  const hint = CROWDSEC_HINTS[e.key] ?? suggest(e.key, KEYS);
  err(ctx, e, "config.key.unknown", `unknown key "${e.key}" in a source: ${hint}`);
}

type Fields = Partial<Omit<SourceConfig, "id">> & { sourceWord?: string };

function readEntry(ctx: Ctx, e: YamlEntry, f: Fields): void {
  if (e.key === "type") {
    const s = stringOf(ctx, e);
    if (s !== undefined) f.type = s;
  } else if (e.key === "source") {
    const s = stringOf(ctx, e);
    if (s !== undefined && KINDS[s] === undefined)
      err(
        ctx,
        e.value,
        "config.source.kind",
        `source "${s}" is not supported: use file (with paths), journald or stdin`,
      );
    else if (s !== undefined) f.kind = KINDS[s] as SourceKind;
  } else if (e.key === "paths") f.paths = stringList(ctx, e);
  else if (e.key === "exclude") f.exclude = stringList(ctx, e);
  else if (e.key === "journalctl_filter") f.journalctlFilter = stringList(ctx, e);
  else if (e.key === "labels") f.labels = labelsOf(ctx, e);
  else if (e.key === "start_at") {
    const s = stringOf(ctx, e);
    if (s === "beginning" || s === "end") f.startAt = s;
    else if (s !== undefined)
      err(
        ctx,
        e.value,
        "config.value.invalid",
        `start_at must be "beginning" or "end", not "${s}"`,
      );
  } else unknownKey(ctx, e);
}

function finish(ctx: Ctx, node: YamlNode, f: Fields): SourceConfig | undefined {
  if (ctx.errors.length > 0) return undefined;
  const kind: SourceKind = f.kind ?? (f.journalctlFilter ? "journald" : "file");
  if (kind === "file" && (f.paths ?? []).length === 0)
    err(ctx, node, "config.source.paths", "a file source needs `paths: [FILE or GLOB, …]`");
  if (kind !== "journald" && f.journalctlFilter !== undefined)
    err(
      ctx,
      node,
      "config.source.filter",
      `journalctl_filter only applies to journald sources, not ${kind}`,
    );
  if (kind !== "file" && f.paths !== undefined)
    err(ctx, node, "config.source.paths", `paths only apply to file sources, not ${kind}`);
  const type = f.type ?? (kind === "journald" ? "journald" : undefined);
  if (type === undefined)
    err(
      ctx,
      node,
      "config.source.type",
      "a source needs `type:` (the parser label, e.g. nginx, syslog)",
    );
  if (type === undefined || ctx.errors.length > 0) return undefined;
  const paths = f.paths ?? [];
  const filter = f.journalctlFilter ?? [];
  const id =
    kind === "file"
      ? `file:${[...paths].sort().join(",")}`
      : kind === "journald"
        ? `journald:${filter.join(",")}`
        : "stdin";
  return {
    kind,
    type,
    labels: f.labels ?? {},
    paths,
    exclude: f.exclude ?? [],
    startAt: f.startAt ?? "end",
    journalctlFilter: filter,
    id,
  };
}

/** Validates the `sources:` node; diagnostics go to `errors`. */
export function readSources(node: YamlNode, file: string, errors: Diagnostic[]): SourceConfig[] {
  if (node.kind !== "seq") {
    errors.push({
      code: "config.sources.invalid",
      path: `${file}:${node.line}:${node.col} sources`,
      message: "sources must be a list: `sources: [{paths: [...], type: nginx}]`",
    });
    return [];
  }
  const out: SourceConfig[] = [];
  node.items.forEach((item, i) => {
    const ctx: Ctx = { file, errors: [], at: `sources[${i}]` };
    if (item.kind !== "map")
      err(ctx, item, "config.source.invalid", "each source must be a mapping with paths and type");
    else {
      const f: Fields = {};
      for (const e of item.entries) readEntry(ctx, e, f);
      const s = finish(ctx, item, f);
      if (s !== undefined) out.push(s);
    }
    errors.push(...ctx.errors);
  });
  return out;
}
