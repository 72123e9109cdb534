import { configOf } from "../config";
import { ledgerOf } from "../durable/ledger/index";
import type { PourRequest } from "../durable/tracker/index";
import type { Env } from "../env";
import { QUEUE_BATCH_MESSAGES, retryDelay } from "./budget";
import { deadLetterOf } from "./dead-letters";
import { pourAll } from "./deliver";
import { chunkForSend, decodeMessage } from "./queue-message";

interface Pending {
  message: Message<unknown>;
  items: PourRequest[];
  bytes: number;
}

/**
 * The ingest queue's consumer: the same pour RPCs as the ingest request, within the same
 * subrequest budget. Messages are sized (budget.ts) so that a whole delivery is poured in
 * one invocation; each message is acknowledged on its own, and a failed pour retries only
 * its message, later each time (safe: each tracker applies a request id once). After
 * `max_retries` the queue moves it to the dead-letter queue (dead-letters.ts). A message
 * the consumer cannot read is kept as a dead letter at once, since no retry can help.
 * Only a delivery larger than the budget allows (a max_batch_size raised past
 * QUEUE_BATCH_MESSAGES) has its last messages sent back to the queue.
 */
export async function consumeIngest(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const budget = configOf(env).subrequestBudget;
  const pending: Pending[] = [];
  const unreadable: Message<unknown>[] = [];
  for (const message of batch.messages) {
    const items = await decodeMessage(message.body);
    if (items) pending.push({ message, items, bytes: byteLength(message.body) });
    else unreadable.push(message);
  }
  let used = 0;
  if (unreadable.length > 0) {
    used++;
    await keepUnreadable(env, batch.queue, unreadable);
  }
  let i = 0;
  for (; i < pending.length; i++) {
    const p = pending[i] as Pending;
    const rest = sendsFor(pending.slice(i + 1));
    if (i > 0 && used + p.items.length + rest > budget) break;
    used += p.items.length;
    await pourMessage(env, p);
  }
  if (i < pending.length) {
    console.error(
      `palisade.ingest.queue_oversized_delivery: ${pending.length} messages exceed SUBREQUEST_BUDGET ${budget}; ${pending.length - i} sent back. Set max_batch_size to ${QUEUE_BATCH_MESSAGES} in wrangler.toml.`,
    );
  }
  await requeue(env, pending.slice(i));
}

async function pourMessage(env: Env, p: Pending): Promise<void> {
  try {
    await pourAll(env, bySource(p.items));
    p.message.ack();
  } catch (e) {
    const delay = retryDelay(p.message.attempts, configOf(env).queueRetryS);
    console.error(
      `palisade.ingest.queue_pour_failed message=${p.message.id} attempt=${p.message.attempts} retry_in=${delay}s: ${e instanceof Error ? e.message : e}`,
    );
    p.message.retry({ delaySeconds: delay });
  }
}

async function keepUnreadable(
  env: Env,
  queue: string,
  messages: readonly Message<unknown>[],
): Promise<void> {
  const letters = await Promise.all(
    messages.map((m) =>
      deadLetterOf(queue, m, "unreadable: not an ingest message this version wrote"),
    ),
  );
  try {
    await ledgerOf(env).storeDeadLetters(letters);
    for (const m of messages) {
      console.error(
        `palisade.ingest.bad_message: kept unreadable queue message ${m.id} as a dead letter`,
      );
      m.ack();
    }
  } catch (e) {
    console.error(`palisade.dlq.store_failed: ${e instanceof Error ? e.message : e}`);
    for (const m of messages)
      m.retry({ delaySeconds: retryDelay(m.attempts, configOf(env).queueRetryS) });
  }
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

async function requeue(env: Env, rest: readonly Pending[]): Promise<void> {
  const queue = env.INGEST_QUEUE;
  for (const chunk of chunks(rest)) {
    try {
      await queue.sendBatch(
        chunk.map((p) => ({ body: bytesOf(p.message.body), contentType: "bytes" as const })),
      );
      for (const p of chunk) p.message.ack();
    } catch (e) {
      console.error(`palisade.ingest.requeue_failed: ${e instanceof Error ? e.message : e}`);
      for (const p of chunk)
        p.message.retry({
          delaySeconds: retryDelay(p.message.attempts, configOf(env).queueRetryS),
        });
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
