import { z } from "zod";

/**
 * The ingest queue's dead letters (`/_palisade/v1/admin/dead-letters`): queue messages
 * that failed every delivery (`max_retries`, then the dead-letter queue) or could not be
 * read, kept by the Ledger until an operator replays or deletes them.
 */

const iso = z.iso.datetime({ offset: true });
const id = z.number().int().nonnegative();

export const deadLetterSchema = z.object({
  id,
  /** The queue the message failed on, and its id there. */
  queue: z.string(),
  message_id: z.string(),
  /** When it was first queued, and when it became a dead letter. */
  enqueued_at: iso,
  dead_at: iso,
  attempts: z.number().int().nonnegative(),
  /** Why: `failed N deliveries` (the consumer's log has each failure), `unreadable`. */
  reason: z.string(),
  /** Pour requests and events it holds, and (a sample of) the sources they are for. */
  items: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  sources: z.array(z.string()),
  bytes: z.number().int().nonnegative(),
});

export type DeadLetter = z.infer<typeof deadLetterSchema>;

export const deadLetterListSchema = z.object({
  /** Every dead letter kept; `letters` holds the oldest `limit`. */
  total: z.number().int().nonnegative(),
  letters: z.array(deadLetterSchema),
});

export const deadLetterSelectSchema = z
  .object({
    /** These letters; or every one with `all: true`. */
    ids: z.array(id).min(1).max(1000).optional(),
    all: z.literal(true).optional(),
  })
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), {
    error: "give ids (a list of dead letter ids) or all: true",
    path: ["ids"],
  });

export const deadLetterReplayedSchema = z.object({
  /** Sent back to the ingest queue (and forgotten here). */
  replayed: z.number().int().nonnegative(),
  ids: z.array(id),
  /** Selected letters left for another call (one call sends what its subrequests allow). */
  remaining: z.number().int().nonnegative(),
  /** Selected ids that do not exist. */
  missing: z.array(id),
});

export const deadLetterDeletedSchema = z.object({
  deleted: z.number().int().nonnegative(),
  ids: z.array(id),
});
