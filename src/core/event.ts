/**
 * The event every parser produces and every scenario reads. Field names follow
 * CrowdSec's `types.Event` so hub expressions (`evt.Meta.source_ip`,
 * `evt.Parsed.request`, `evt.Line.Raw`) run unmodified.
 */

export interface LogLine {
  /** The raw line as read (after syslog/journald unwrapping it is still the original line). */
  Raw: string;
  /** Where the line came from: a file path, `-` for stdin, or the shipper's source name. */
  Src: string;
  /** Acquisition labels; `type` is the acquisition label (`nginx`, `syslog`, …). */
  Labels: Record<string, string>;
  /** Acquisition module: `file`, `journald`, `stdin`, `ingest`. */
  Module: string;
  /**
   * Palisade's addition: the machine (ingest credential) that sent the line, set by the
   * Worker's ingest so an alert can show where its evidence came from.
   */
  Machine?: string;
}

export interface Event {
  Line: LogLine;
  /** Fields captured by the parser (CrowdSec's `evt.Parsed`). */
  Parsed: Record<string, string>;
  /** Normalised fields scenarios group and filter on (CrowdSec's `evt.Meta`). */
  Meta: Record<string, string>;
  /** Enrichment results (`MarshaledTime`, …). */
  Enriched: Record<string, string>;
  /** Structured payload for JSON logs (traefik JSON, journald). */
  Unmarshaled: Record<string, unknown>;
  /** The log's own time, ms since the Unix epoch. Buckets leak from this, never from a wall clock. */
  Time: number;
  Whitelisted: boolean;
}

/** Where a line came from; the parser copies it into `Line` and `Meta.datasource_*`. */
export interface LineOrigin {
  src: string;
  module: string;
  labels: Record<string, string>;
  /** The authenticated machine that sent the line (Worker ingest only). */
  machine?: string;
}

export function newEvent(raw: string, origin: LineOrigin): Event {
  const line: LogLine = { Raw: raw, Src: origin.src, Labels: origin.labels, Module: origin.module };
  if (origin.machine !== undefined) line.Machine = origin.machine;
  return {
    Line: line,
    Parsed: {},
    Meta: {},
    Enriched: {},
    Unmarshaled: {},
    Time: 0,
    Whitelisted: false,
  };
}
