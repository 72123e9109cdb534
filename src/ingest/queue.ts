import { configOf } from "../config";
import type { PourRequest } from "../durable/tracker/index";
import type { Env } from "../env";
import { pourAll } from "./deliver";
import { chunkForSend, decodeMessage } from "./queue-message";

interface Pending {
  message: Message<unknown>;
  items: PourRequest[];
  bytes: number;
}

/**
 * The ingest queue's consumer: the same pour RPCs as the ingest request, within the same
 * subrequest budget. Messages are poured in order while the budget also leaves room to
 * send the remaining ones back to the queue (never retried into a dead end: a retry
 * counts against max_retries, a re-send does not). A failed pour retries its message
 * (safe: each tracker applies a request id once); an unreadable message is logged and
 * acknowledged, since no retry can make it readable.
 */
export async function consumeIngest(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const budget = configOf(env).subrequestBudget;
  const pending: Pending[] = [];
  for (const message of batch.messages) {
    const items = await decodeMessage(message.body);
    if (!items) {
      console.error(`palisade.ingest.bad_message: dropped unreadable queue message ${message.id}`);
      message.ack();
      continue;
    }
    pending.push({ message, items, bytes: byteLength(message.body) });
  }
  let used = 0;
  let i = 0;
  for (; i < pending.length; i++) {
    const p = pending[i] as Pending;
    const rest = sendsFor(pending.slice(i + 1));
    if (i > 0 && used + p.items.length + rest > budget) break;
    used += p.items.length;
    try {
      await pourAll(env, bySource(p.items));
      p.message.ack();
    } catch (e) {
      console.error(`palisade.ingest.queue_pour_failed: ${e instanceof Error ? e.message : e}`);
      p.message.retry({ delaySeconds: 5 });
    }
  }
  await requeue(env.INGEST_QUEUE, pending.slice(i));
}

/** Requests of one source stay in order: they are made one after the other. */
function bySource(items: readonly PourRequest[]): PourRequest[][] {
  const map = new Map<string, PourRequest[]>();
  for (const item of items) {
    const list = map.get(item.source);
    if (list) list.push(item);
    else map.set(item.source, [item]);
  }
  return [...map.values()];
}

async function requeue(queue: Queue, rest: readonly Pending[]): Promise<void> {
  for (const chunk of chunks(rest)) {
    try {
      await queue.sendBatch(
        chunk.map((p) => ({ body: bytesOf(p.message.body), contentType: "bytes" as const })),
      );
      for (const p of chunk) p.message.ack();
    } catch (e) {
      console.error(`palisade.ingest.requeue_failed: ${e instanceof Error ? e.message : e}`);
      for (const p of chunk) p.message.retry({ delaySeconds: 5 });
    }
  }
}

function sendsFor(rest: readonly Pending[]): number {
  return chunks(rest).length;
}

function chunks(rest: readonly Pending[]): Pending[][] {
  return chunkForSend(rest, (p) => p.bytes);
}

/** A `bytes` message arrives as an ArrayBuffer; sending one takes a view. */
function bytesOf(body: unknown): Uint8Array {
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body))
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new Error("an ingest message body is not bytes");
}

function byteLength(body: unknown): number {
  return body instanceof ArrayBuffer || ArrayBuffer.isView(body) ? body.byteLength : 0;
}
