import type { PourRequest, RoutedEvent } from "../durable/tracker/index";
import { PalisadeHttpError } from "../http/error";
import type { SourceGroup } from "./batch";
import { chunkForSend, encodeMessage, MESSAGE_MAX_BYTES } from "./queue-message";

/**
 * Which pour requests the ingest request makes itself and which go through the queue,
 * so that the invocation never exceeds its subrequest budget: the biggest sources are
 * poured directly (one RPC each), the rest are packed into queue messages, as few
 * `sendBatch` calls as their compressed size allows (queueing the small ones keeps the
 * most events on the fast path).
 *
 * Known limit: a source queued in one batch and poured directly in the next can have
 * the later events reach its buckets first (see src/ingest/README.md).
 */

/** Events per RPC: a source with more is poured in several calls, in order. */
const MAX_EVENTS_PER_CALL = 5_000;
/** Uncompressed JSON per queue message before compression (about 10:1 for events). */
const RAW_PER_MESSAGE = 900_000;

export interface Plan {
  /** Per source, its requests in log order (made one after the other). */
  direct: PourRequest[][];
  /** Each inner list is one `sendBatch` of encoded messages. */
  sends: Uint8Array[][];
  forwarded: number;
  queued: number;
}

/**
 * `avail`: subrequests left for RPCs and queue sends; `maxItems`: pour requests per
 * message, so that the consumer can make them all within its own budget.
 */
export interface DispatchOptions {
  /** Idempotency key of the batch (`<machine>:<batch_id>`). */
  apply: string;
  /** The content version the events were routed with (the trackers pour with the same). */
  content: number;
  avail: number;
  maxItems: number;
}

export async function planDispatch(
  groups: readonly SourceGroup[],
  opts: DispatchOptions,
): Promise<Plan> {
  const { avail, maxItems } = opts;
  const units = groups
    .map((g) => requestsOf(g, opts.apply, opts.content))
    .sort((a, b) => eventCount(b) - eventCount(a));
  const calls = (list: PourRequest[][]) => list.reduce((n, u) => n + u.length, 0);
  let direct = units.length;
  while (direct > 0 && calls(units.slice(0, direct)) > avail) direct--;
  if (direct === units.length) return plan(units, [], []);
  // Queue sends take budget too: give sources back to the queue until both fit.
  for (;;) {
    const sends = await packSends(units.slice(direct).flat(), maxItems);
    const used = calls(units.slice(0, direct)) + sends.length;
    if (used <= avail) return plan(units.slice(0, direct), units.slice(direct), sends);
    if (direct === 0) {
      throw new PalisadeHttpError(
        413,
        "batch_too_large",
        `This batch needs ${sends.length} queue sends, more than SUBREQUEST_BUDGET allows; send smaller batches.`,
      );
    }
    direct--;
  }
}

function plan(direct: PourRequest[][], queued: PourRequest[][], sends: Uint8Array[][]): Plan {
  return {
    direct,
    sends,
    forwarded: direct.reduce((n, u) => n + eventCount(u), 0),
    queued: queued.reduce((n, u) => n + eventCount(u), 0),
  };
}

function eventCount(requests: readonly PourRequest[]): number {
  return requests.reduce((n, r) => n + r.events.length, 0);
}

/** A source's requests: one, or `/c<n>` chunks of MAX_EVENTS_PER_CALL events. */
function requestsOf(g: SourceGroup, apply: string, content: number): PourRequest[] {
  if (g.events.length <= MAX_EVENTS_PER_CALL)
    return [{ source: g.source, apply, content, events: g.events }];
  const out: PourRequest[] = [];
  for (let i = 0; i * MAX_EVENTS_PER_CALL < g.events.length; i++) {
    const events = g.events.slice(i * MAX_EVENTS_PER_CALL, (i + 1) * MAX_EVENTS_PER_CALL);
    out.push({ source: g.source, apply: `${apply}/c${i}`, content, events });
  }
  return out;
}

async function packSends(items: readonly PourRequest[], maxItems: number): Promise<Uint8Array[][]> {
  const messages: Uint8Array[] = [];
  let list: PourRequest[] = [];
  let raw = 0;
  for (const item of items) {
    const size = rawSize(item.events);
    if (list.length > 0 && (list.length >= maxItems || raw + size > RAW_PER_MESSAGE)) {
      messages.push(...(await encodeFitting(list)));
      list = [];
      raw = 0;
    }
    list.push(item);
    raw += size;
  }
  if (list.length > 0) messages.push(...(await encodeFitting(list)));
  return chunkSends(messages);
}

/** Encoded messages under the size limit: a list too big is halved, a lone item split. */
async function encodeFitting(list: PourRequest[]): Promise<Uint8Array[]> {
  const bytes = await encodeMessage(list);
  if (bytes.byteLength <= MESSAGE_MAX_BYTES) return [bytes];
  if (list.length > 1) {
    const half = Math.ceil(list.length / 2);
    return [
      ...(await encodeFitting(list.slice(0, half))),
      ...(await encodeFitting(list.slice(half))),
    ];
  }
  const item = list[0] as PourRequest;
  if (item.events.length <= 1) {
    throw new PalisadeHttpError(413, "event_too_large", "One event does not fit a queue message.");
  }
  const half = Math.ceil(item.events.length / 2);
  const a = { ...item, apply: `${item.apply}/p0`, events: item.events.slice(0, half) };
  const b = { ...item, apply: `${item.apply}/p1`, events: item.events.slice(half) };
  return [...(await encodeFitting([a])), ...(await encodeFitting([b]))];
}

function chunkSends(messages: readonly Uint8Array[]): Uint8Array[][] {
  return chunkForSend(messages, (m) => m.byteLength);
}

function rawSize(events: readonly RoutedEvent[]): number {
  let n = 0;
  for (const e of events) n += JSON.stringify(e).length;
  return n;
}
