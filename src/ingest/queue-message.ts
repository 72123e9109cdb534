import type { PourRequest } from "../durable/tracker/index";

/**
 * An ingest queue message: pour requests for several sources, gzip-compressed JSON sent
 * as bytes. Parsed events compress about tenfold, which lets one 128 KB message (and one
 * 256 KB `sendBatch`) carry a megabyte of them and keeps the queue path within the
 * subrequest budget even for a full 5 MB batch.
 */
export interface IngestMessage {
  v: 1;
  items: PourRequest[];
}

/** Cloudflare Queues: 128 KB per message, 256 KB and 100 messages per sendBatch. */
export const MESSAGE_MAX_BYTES = 120_000;
const SEND_MAX_BYTES = 240_000;
const SEND_MAX_MESSAGES = 100;

/** Groups messages into `sendBatch` calls within the per-call count and size limits. */
export function chunkForSend<T>(items: readonly T[], bytes: (item: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const n = bytes(item);
    if (current.length > 0 && (current.length >= SEND_MAX_MESSAGES || size + n > SEND_MAX_BYTES)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export async function encodeMessage(items: PourRequest[]): Promise<Uint8Array> {
  const body: IngestMessage = { v: 1, items };
  return gzip(new TextEncoder().encode(JSON.stringify(body)));
}

/** The message's items, or undefined when it is not one this version wrote. */
export async function decodeMessage(body: unknown): Promise<PourRequest[] | undefined> {
  const bytes =
    body instanceof ArrayBuffer
      ? new Uint8Array(body)
      : ArrayBuffer.isView(body)
        ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
        : undefined;
  if (!bytes) return undefined;
  try {
    const value = JSON.parse(await gunzip(bytes)) as Partial<IngestMessage>;
    if (value?.v !== 1 || !Array.isArray(value.items)) return undefined;
    return value.items.every(isPourRequest) ? value.items : undefined;
  } catch {
    return undefined;
  }
}

function isPourRequest(x: unknown): x is PourRequest {
  if (typeof x !== "object" || x === null) return false;
  const r = x as Partial<PourRequest>;
  return typeof r.source === "string" && typeof r.apply === "string" && Array.isArray(r.events);
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function gunzip(bytes: Uint8Array): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}
