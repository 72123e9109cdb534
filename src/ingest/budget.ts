/**
 * The consumer's max_batch_size (wrangler.toml `[[queues.consumers]]` of the ingest queue;
 * a test checks the two agree): a delivery holds at most this many messages.
 */
export const QUEUE_BATCH_MESSAGES = 4;

/** A delivery's Ledger call, to keep the messages it cannot read as dead letters. */
const LEDGER_CALLS = 1;

/**
 * Pour requests per queue message, for a SUBREQUEST_BUDGET of `budget`: a whole delivery
 * (QUEUE_BATCH_MESSAGES messages) is poured within one invocation's budget, each message
 * acknowledged on its own, none sent back to the queue.
 */
export function messageItems(budget: number): number {
  return Math.max(1, Math.floor((budget - LEDGER_CALLS) / QUEUE_BATCH_MESSAGES));
}

/** Seconds before a failed message is delivered again: QUEUE_RETRY_S, doubling, at most 5 min. */
export function retryDelay(attempts: number, baseS: number): number {
  return Math.min(300, baseS * 2 ** Math.max(0, attempts - 1));
}

/** A queue whose name ends so is a dead-letter queue (`palisade-ingest-dlq`). */
export const DLQ_SUFFIX = "-dlq";

export function isDeadLetterQueue(queue: string): boolean {
  return queue.endsWith(DLQ_SUFFIX);
}
