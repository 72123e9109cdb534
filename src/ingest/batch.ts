import type { IngestBatch } from "../contract/ingest";
import { type BucketMatch, ScenarioRouter } from "../core/bucket/index";
import type { Event, LineOrigin } from "../core/event";
import {
  type LogParser,
  type ParseOptions,
  ParseState,
  parserFor,
  parserTypes,
} from "../core/parser/index";
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
  /** Parsed events no scenario wants (or without a source IP to route them by, or `covered`). */
  filtered: number;
  /** Of `filtered`, the http access events left to edge-native detection (`covered`). */
  edgeCovered: number;
  groups: SourceGroup[];
}

let router: ScenarioRouter | undefined;

/**
 * Parser memory per shipped stream (machine, source name, type), kept by this isolate:
 * an sshd session whose lines straddle two batches is still one session when the same
 * isolate reads both (one shipper's batches usually reach the same isolate; when they do
 * not, attribution falls back to within the batch). Bounded: the least recently used
 * stream goes past MAX_STREAMS, and each state bounds its own sessions.
 */
const MAX_STREAMS = 256;
const streams = new Map<string, ParseState>();

export function parseStateFor(machine: string, batch: IngestBatch): ParseState {
  const key = `${machine}\u0000${batch.source.name ?? ""}\u0000${batch.source.type}`;
  const state = streams.get(key) ?? new ParseState();
  streams.delete(key);
  streams.set(key, state);
  if (streams.size > MAX_STREAMS) streams.delete(streams.keys().next().value as string);
  return state;
}

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

/** The isolate's one scenario router (the scenarios are the same whatever the prefix). */
export function scenarioRouter(ipv6Prefix: number): ScenarioRouter {
  router ??= new ScenarioRouter(detectionPack(ipv6Prefix).scenarios);
  return router;
}

/**
 * Routed events grouped by source (`sourceKeyOf` of `Meta.source_ip`), in the order
 * added: what dispatch pours, one tracker per group. Shipped batches and the edge's
 * own access events (edge-feed.ts) both go through it.
 */
export class SourceGroups {
  private readonly bySource = new Map<string, RoutedEvent[]>();
  private readonly keys = new Map<string, string | undefined>();
  private count = 0;

  constructor(private readonly ipv6Prefix: number) {}

  /** Adds an event some scenario wants; false when it has no source to route it by. */
  add(event: Event, matches: BucketMatch[]): boolean {
    const ip = event.Meta.source_ip;
    if (ip === undefined) return false;
    let source = this.keys.get(ip);
    if (source === undefined && !this.keys.has(ip)) {
      source = sourceKeyOf(ip, this.ipv6Prefix);
      this.keys.set(ip, source);
    }
    if (source === undefined) return false;
    const list = this.bySource.get(source);
    if (list) list.push({ event, matches });
    else this.bySource.set(source, [{ event, matches }]);
    this.count++;
    return true;
  }

  /** Events held. */
  get events(): number {
    return this.count;
  }

  get sources(): number {
    return this.bySource.size;
  }

  groups(): SourceGroup[] {
    const out: SourceGroup[] = [];
    for (const [source, events] of this.bySource) out.push({ source, events });
    return out;
  }
}

/**
 * Parses every line, keeps the events some scenario's filter accepts and groups them by
 * source (`sourceKeyOf` of `Meta.source_ip`). Pure CPU: no I/O; `state` is the stream's
 * parser memory (parseStateFor). Each event carries the sending `machine` (its
 * `Line.Machine`): an alert's evidence names it. An event `covered` says the edge sees
 * already (edge-coverage.ts) is filtered out, so nothing is counted twice.
 */
export function routeBatch(
  batch: IngestBatch,
  parser: LogParser,
  ipv6Prefix: number,
  now: number,
  state: ParseState = new ParseState(),
  machine?: string,
  covered?: (event: Event) => boolean,
): RoutedBatch {
  const routes = scenarioRouter(ipv6Prefix);
  const origin: LineOrigin = {
    src: batch.source.name ?? "ingest",
    module: "ingest",
    labels: { ...batch.source.labels, type: batch.source.type },
  };
  if (machine !== undefined) origin.machine = machine;
  const opts: ParseOptions = { now };
  if (batch.source.year !== undefined) opts.year = batch.source.year;
  if (batch.source.timezone !== undefined) opts.timezone = batch.source.timezone;
  const out: RoutedBatch = {
    accepted: 0,
    parsed: 0,
    unparsed: 0,
    filtered: 0,
    edgeCovered: 0,
    groups: [],
  };
  const groups = new SourceGroups(ipv6Prefix);
  // The batch's lines are one stream in order: sshd lines without an address take the
  // one an earlier line of the same sshd process gave.
  for (const line of batch.lines) {
    out.accepted++;
    const event = parser.parse(line, origin, opts, state);
    if (!event) {
      out.unparsed++;
      continue;
    }
    out.parsed++;
    if (covered?.(event)) {
      out.filtered++;
      out.edgeCovered++;
      continue;
    }
    const matches = routes.matches(event);
    if (!matches || !groups.add(event, matches)) out.filtered++;
  }
  out.groups = groups.groups();
  return out;
}
