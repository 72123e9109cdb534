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
import type { DetectionPack, RoutedEvent } from "../durable/tracker/index";
import { groupSourceOf, sourceKeyOf } from "../durable/tracker/index";
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

/** One router per pack (content version), built the first time a batch needs it. */
const routers = new WeakMap<DetectionPack, ScenarioRouter>();

function routerOf(pack: DetectionPack): ScenarioRouter {
  let router = routers.get(pack);
  if (!router) {
    router = new ScenarioRouter(pack.scenarios);
    routers.set(pack, router);
  }
  return router;
}

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

/**
 * The parser of the batch's source type: a built-in one or one installed at runtime
 * (`palisade parsers add`); 422 for a type Palisade does not read.
 */
export function parserOfBatch(batch: IngestBatch, pack: DetectionPack): LogParser {
  const type = batch.source.type;
  const parser = parserFor(type) ?? pack.parsers.get(type);
  if (parser) return parser;
  const types = [...parserTypes(), ...pack.parsers.keys()];
  throw new PalisadeHttpError(
    422,
    "unknown_source_type",
    `source.type ${JSON.stringify(type)} has no parser; use one of ${types.join(", ")}, or install one for it with palisade parsers add FILE.`,
    { path: "source.type" },
  );
}

/**
 * Parses every line, keeps the events some scenario's filter accepts and groups them by
 * tracker: the source (`sourceKeyOf` of `Meta.source_ip`) for scenarios grouped by it,
 * and for a scenario grouped by anything else (a user, a path, an AS) the tracker of its
 * group key (`groupSourceOf`), so one account attacked from many addresses fills one
 * bucket. Pure CPU: no I/O; `state` is the stream's parser memory (parseStateFor). Each
 * event carries the sending `machine` (its `Line.Machine`): an alert's evidence names it.
 */
export function routeBatch(
  batch: IngestBatch,
  parser: LogParser,
  pack: DetectionPack,
  ipv6Prefix: number,
  now: number,
  state: ParseState = new ParseState(),
  machine?: string,
): RoutedBatch {
  const router = routerOf(pack);
  const byGroup = pack.byGroup;
  const origin: LineOrigin = {
    src: batch.source.name ?? "ingest",
    module: "ingest",
    labels: { ...batch.source.labels, type: batch.source.type },
  };
  if (machine !== undefined) origin.machine = machine;
  const opts: ParseOptions = { now };
  if (batch.source.year !== undefined) opts.year = batch.source.year;
  if (batch.source.timezone !== undefined) opts.timezone = batch.source.timezone;
  const out: RoutedBatch = { accepted: 0, parsed: 0, unparsed: 0, filtered: 0, groups: [] };
  const bySource = new Map<string, RoutedEvent[]>();
  const keys = new Map<string, string | undefined>();
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
    let matches = router.matches(event);
    let grouped = false;
    // The common path (every scenario grouped by source IP) skips this.
    if (matches && byGroup.size > 0) {
      const own = routeByGroup(event, matches, byGroup, bySource);
      grouped = own.length < matches.length;
      matches = own.length > 0 ? own : undefined;
    }
    const ip = event.Meta.source_ip;
    if (!matches || ip === undefined) {
      if (!grouped) out.filtered++;
      continue;
    }
    let source = keys.get(ip);
    if (source === undefined && !keys.has(ip)) {
      source = sourceKeyOf(ip, ipv6Prefix);
      keys.set(ip, source);
    }
    if (source === undefined) {
      if (!grouped) out.filtered++;
      continue;
    }
    add(bySource, source, { event, matches });
  }
  for (const [source, events] of bySource) out.groups.push({ source, events });
  return out;
}

function add(bySource: Map<string, RoutedEvent[]>, source: string, routed: RoutedEvent): void {
  const list = bySource.get(source);
  if (list) list.push(routed);
  else bySource.set(source, [routed]);
}

/**
 * Sends the event's matches of scenarios grouped by something other than the source IP
 * to the trackers of their group keys; returns the matches left for the source's tracker.
 */
function routeByGroup(
  event: Event,
  matches: readonly BucketMatch[],
  byGroup: ReadonlySet<string>,
  bySource: Map<string, RoutedEvent[]>,
): BucketMatch[] {
  const own: BucketMatch[] = [];
  for (const m of matches) {
    if (byGroup.has(m[0])) add(bySource, groupSourceOf(m[0], m[1]), { event, matches: [m] });
    else own.push(m);
  }
  return own;
}
