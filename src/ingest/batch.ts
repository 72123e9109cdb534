import type { IngestBatch } from "../contract/ingest";
import { ScenarioRouter } from "../core/bucket/index";
import type { LineOrigin } from "../core/event";
import { type LogParser, type ParseOptions, parserFor, parserTypes } from "../core/parser/index";
import type { RoutedEvent } from "../durable/tracker/index";
import { detectionPack, sourceKeyOf } from "../durable/tracker/index";
import { PalisadeHttpError } from "../http/error";

/** The events of one source (tracker), in log order. */
export interface SourceGroup {
  source: string;
  events: RoutedEvent[];
}

export interface RoutedBatch {
  accepted: number;
  parsed: number;
  unparsed: number;
  /** Parsed events no scenario wants (or without a source IP to route them by). */
  filtered: number;
  groups: SourceGroup[];
}

let router: ScenarioRouter | undefined;

/** The parser of the batch's source type; 422 for a type Palisade does not read. */
export function parserOfBatch(batch: IngestBatch): LogParser {
  const parser = parserFor(batch.source.type);
  if (parser) return parser;
  throw new PalisadeHttpError(
    422,
    "unknown_source_type",
    `source.type ${JSON.stringify(batch.source.type)} has no parser; use one of ${parserTypes().join(", ")}.`,
    { path: "source.type" },
  );
}

/**
 * Parses every line, keeps the events some scenario's filter accepts and groups them by
 * source (`sourceKeyOf` of `Meta.source_ip`). Pure CPU: no I/O, no state.
 */
export function routeBatch(
  batch: IngestBatch,
  parser: LogParser,
  ipv6Prefix: number,
  now: number,
): RoutedBatch {
  // The scenarios are the same whatever the prefix: one router per isolate.
  router ??= new ScenarioRouter(detectionPack(ipv6Prefix).scenarios);
  const origin: LineOrigin = {
    src: batch.source.name ?? "ingest",
    module: "ingest",
    labels: { ...batch.source.labels, type: batch.source.type },
  };
  const opts: ParseOptions = { now };
  if (batch.source.year !== undefined) opts.year = batch.source.year;
  if (batch.source.timezone !== undefined) opts.timezone = batch.source.timezone;
  const out: RoutedBatch = { accepted: 0, parsed: 0, unparsed: 0, filtered: 0, groups: [] };
  const bySource = new Map<string, RoutedEvent[]>();
  const keys = new Map<string, string | undefined>();
  for (const line of batch.lines) {
    out.accepted++;
    const event = parser.parse(line, origin, opts);
    if (!event) {
      out.unparsed++;
      continue;
    }
    out.parsed++;
    const matches = router.matches(event);
    const ip = event.Meta.source_ip;
    if (!matches || ip === undefined) {
      out.filtered++;
      continue;
    }
    let source = keys.get(ip);
    if (source === undefined && !keys.has(ip)) {
      source = sourceKeyOf(ip, ipv6Prefix);
      keys.set(ip, source);
    }
    if (source === undefined) {
      out.filtered++;
      continue;
    }
    const list = bySource.get(source);
    if (list) list.push({ event, matches });
    else bySource.set(source, [{ event, matches }]);
  }
  for (const [source, events] of bySource) out.groups.push({ source, events });
  return out;
}
