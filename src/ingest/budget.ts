/** The consumer's max_batch_size (wrangler.toml); the budget split below assumes at most this. */
const QUEUE_BATCH_MESSAGES = 10;

/**
 * Pour requests per queue message, for a SUBREQUEST_BUDGET of `budget`: the consumer
 * always pours its batch's first message and can still send the other messages (at most
 * QUEUE_BATCH_MESSAGES - 1, two per sendBatch) back to the queue within the same budget.
 */
export function messageItems(budget: number): number {
  return budget - Math.ceil((QUEUE_BATCH_MESSAGES - 1) / 2) - 1;
}
