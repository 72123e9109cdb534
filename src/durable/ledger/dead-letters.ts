import type { DeadLetter } from "../../contract/dead-letters";

/**
 * The ingest queue's dead letters (schema v3): each message kept whole (its body as the
 * queue held it) with what an operator needs to judge it, until replayed or deleted. At
 * most MAX_LETTERS are kept; past that the oldest go, each logged.
 */

export const MAX_LETTERS = 1_000;

/** What the consumer hands over for one message. */
export interface DeadLetterInput {
  queue: string;
  messageId: string;
  enqueued: number;
  attempts: number;
  reason: string;
  items: number;
  events: number;
  sources: string[];
  body: ArrayBuffer;
}

type Row = {
  id: number;
  queue: string;
  message_id: string;
  enqueued: number;
  dead: number;
  attempts: number;
  reason: string;
  items: number;
  events: number;
  sources: string;
  bytes: number;
};

export class DeadLetterStore {
  constructor(private readonly sql: SqlStorage) {}

  /** Keeps the letters (a message already kept is not kept twice); the ids kept. */
  add(letters: readonly DeadLetterInput[], now: number): number[] {
    const ids: number[] = [];
    for (const l of letters) {
      const row = this.sql
        .exec<{ id: number }>(
          `INSERT INTO dead_letters (queue, message_id, enqueued, dead, attempts, reason, items,
             events, sources, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (queue, message_id) DO NOTHING RETURNING id`,
          l.queue,
          l.messageId,
          l.enqueued,
          now,
          l.attempts,
          l.reason,
          l.items,
          l.events,
          JSON.stringify(l.sources.slice(0, 20)),
          l.body,
        )
        .toArray()[0];
      if (row) ids.push(row.id);
    }
    this.trim();
    return ids;
  }

  private trim(): void {
    const over = this.count() - MAX_LETTERS;
    if (over <= 0) return;
    const gone = this.sql
      .exec<{ id: number; message_id: string }>(
        "DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters ORDER BY id LIMIT ?) RETURNING id, message_id",
        over,
      )
      .toArray();
    for (const g of gone) {
      console.error(
        `palisade.dlq.dropped id=${g.id} message=${g.message_id}: more than ${MAX_LETTERS} dead letters kept; replay or delete them`,
      );
    }
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM dead_letters").one().n;
  }

  /** The oldest `limit` letters, without their bodies. */
  list(limit: number): DeadLetter[] {
    return this.sql
      .exec<Row>(
        `SELECT id, queue, message_id, enqueued, dead, attempts, reason, items, events, sources,
           length(body) AS bytes FROM dead_letters ORDER BY id LIMIT ?`,
        limit,
      )
      .toArray()
      .map(view);
  }

  /** Bodies of the selected letters (every one when `ids` is undefined), oldest first. */
  bodies(ids: readonly number[] | undefined, limit: number): { id: number; body: ArrayBuffer }[] {
    const rows =
      ids === undefined
        ? this.sql.exec<{ id: number; body: ArrayBuffer }>(
            "SELECT id, body FROM dead_letters ORDER BY id LIMIT ?",
            limit,
          )
        : this.sql.exec<{ id: number; body: ArrayBuffer }>(
            `SELECT id, body FROM dead_letters WHERE id IN (SELECT value FROM json_each(?))
             ORDER BY id LIMIT ?`,
            JSON.stringify(ids),
            limit,
          );
    return rows.toArray();
  }

  /** Which of `ids` exist. */
  existing(ids: readonly number[]): number[] {
    return this.sql
      .exec<{ id: number }>(
        "SELECT id FROM dead_letters WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
        JSON.stringify(ids),
      )
      .toArray()
      .map((r) => r.id);
  }

  /** Forgets letters; the ids that existed. */
  remove(ids: readonly number[]): number[] {
    return this.sql
      .exec<{ id: number }>(
        "DELETE FROM dead_letters WHERE id IN (SELECT value FROM json_each(?)) RETURNING id",
        JSON.stringify(ids),
      )
      .toArray()
      .map((r) => r.id)
      .sort((a, b) => a - b);
  }
}

function view(r: Row): DeadLetter {
  return {
    id: r.id,
    queue: r.queue,
    message_id: r.message_id,
    enqueued_at: new Date(r.enqueued).toISOString(),
    dead_at: new Date(r.dead).toISOString(),
    attempts: r.attempts,
    reason: r.reason,
    items: r.items,
    events: r.events,
    sources: JSON.parse(r.sources) as string[],
    bytes: r.bytes,
  };
}
