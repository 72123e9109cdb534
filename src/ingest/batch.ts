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
  /** Parsed events no scenario wants (or without a source IP to route them by, or `covered`). */
  filtered: number;
  /** Of `filtered`, the http access events left to edge-native detection (`covered`). */
  edgeCovered: number;
  groups: SourceGroup[];
}

/** One router per pack (content version), built the first time a batch needs it. */
const routers = new WeakMap<DetectionPack, ScenarioRouter>();

/** The router of a pack's scenarios (ingest and the edge's feed share it). */
export function scenarioRouter(pack: DetectionPack): ScenarioRouter {
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
 * Routed events grouped by tracker, in the order added: what dispatch pours, one tracker
 * per group. A scenario grouped by the source IP goes to the source's tracker
 * (`sourceKeyOf` of `Meta.source_ip`); one grouped by anything else (a user, a path, an
 * AS) to the tracker of its group key (`groupSourceOf`), so one account attacked from
 * many addresses fills one bucket. Shipped batches and the edge's own access events
 * (edge-feed.ts) both go through it.
 */
export class SourceGroups {
  private readonly bySource = new Map<string, RoutedEvent[]>();
  private readonly keys = new Map<string, string | undefined>();
  private count = 0;

  constructor(
    private readonly ipv6Prefix: number,
    /** Names of the scenarios grouped by something other than the source IP. */
    private readonly byGroup: ReadonlySet<string> = new Set(),
  ) {}

  /** Adds an event some scenario wants; false when no tracker takes it (no source IP). */
  add(event: Event, matches: BucketMatch[]): boolean {
    let own = matches;
    let grouped = false;
    // The common path (every scenario grouped by source IP) skips this.
    if (this.byGroup.size > 0) {
      own = [];
      for (const m of matches) {
        if (this.byGroup.has(m[0])) {
          this.push(groupSourceOf(m[0], m[1]), { event, matches: [m] });
          grouped = true;
        } else own.push(m);
      }
      if (own.length === 0) return grouped;
    }
    const ip = event.Meta.source_ip;
    if (ip === undefined) return grouped;
    let source = this.keys.get(ip);
    if (source === undefined && !this.keys.has(ip)) {
      source = sourceKeyOf(ip, this.ipv6Prefix);
      this.keys.set(ip, source);
    }
    if (source === undefined) return grouped;
    this.push(source, { event, matches: own });
    return true;
  }

  private push(source: string, routed: RoutedEvent): void {
    const list = this.bySource.get(source);
    if (list) list.push(routed);
    else this.bySource.set(source, [routed]);
    this.count++;
  }

  /** Events held (an event sent to several trackers counts once per tracker). */
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
 * tracker (SourceGroups). Pure CPU: no I/O; `state` is the stream's parser memory
 * (parseStateFor). Each event carries the sending `machine` (its `Line.Machine`): an
 * alert's evidence names it. An event `covered` says the edge sees already
 * (edge-coverage.ts) is filtered out, so nothing is counted twice.
 */
export function routeBatch(
  batch: IngestBatch,
  parser: LogParser,
  pack: DetectionPack,
  ipv6Prefix: number,
  now: number,
  state: ParseState = new ParseState(),
  machine?: string,
  covered?: (event: Event) => boolean,
): RoutedBatch {
  const router = scenarioRouter(pack);
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
  const groups = new SourceGroups(ipv6Prefix, pack.byGroup);
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
    const matches = router.matches(event);
    if (!matches || !groups.add(event, matches)) out.filtered++;
  }
  out.groups = groups.groups();
  return out;
}
