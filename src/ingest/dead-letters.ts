import type { DeadLetterInput } from "../durable/ledger/index";
import { ledgerOf } from "../durable/ledger/index";
import type { Env } from "../env";
import { decodeMessage } from "./queue-message";

/**
 * The ingest queue's dead letters. A message that fails every delivery (`max_retries`)
 * goes to the dead-letter queue (`dead_letter_queue` in wrangler.toml), whose consumer
 * hands it to the Ledger; so does a message the consumer cannot read. The Ledger keeps
 * them whole until an operator replays them into the ingest queue or deletes them
 * (`palisade dlq list|replay|delete`, `/_palisade/v1/admin/dead-letters`).
 */

/** What a message is, for an operator deciding what to do with it. */
export async function deadLetterOf(
  queue: string,
  message: Message<unknown>,
  reason: string,
): Promise<DeadLetterInput> {
  const items = (await decodeMessage(message.body)) ?? [];
  return {
    queue,
    messageId: message.id,
    enqueued: message.timestamp.getTime(),
    attempts: message.attempts,
    reason,
    items: items.length,
    events: items.reduce((n, i) => n + i.events.length, 0),
    sources: [...new Set(items.map((i) => i.source))],
    body: bodyBuffer(message.body),
  };
}

function bodyBuffer(body: unknown): ArrayBuffer {
  if (body instanceof ArrayBuffer) return body;
  if (ArrayBuffer.isView(body))
    return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  return new TextEncoder().encode(JSON.stringify(body ?? null)).buffer as ArrayBuffer;
}

/** The dead-letter queue's consumer: every message kept by the Ledger, then acknowledged. */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const reason =
    "failed every delivery on the ingest queue (max_retries); the consumer logged each failure as palisade.ingest.queue_pour_failed";
  const letters = await Promise.all(
    batch.messages.map((m) => deadLetterOf(batch.queue, m, reason)),
  );
  try {
    const kept = await ledgerOf(env).storeDeadLetters(letters);
    for (const l of letters) {
      console.error(
        `palisade.dlq.kept queue=${l.queue} message=${l.messageId} sources=${l.sources.length} events=${l.events}`,
      );
    }
    if (kept.length < letters.length) {
      console.log(`palisade.dlq.duplicate ${letters.length - kept.length} already kept`);
    }
    batch.ackAll();
  } catch (e) {
    console.error(`palisade.dlq.store_failed: ${e instanceof Error ? e.message : e}`);
    batch.retryAll({ delaySeconds: 30 });
  }
}
