import { metaNumber, setMeta } from "../migrate";

/**
 * What a base snapshot holds, read from SQLite in snapshot order (schema v3's
 * `decisions_live_sort`): live, unexpired decisions the edge can enforce, by sort key
 * then id, a chunk at a time after the last row of the previous chunk, so compaction
 * holds one chunk of rows, never the whole list.
 */

export type SnapshotRow = {
  id: number;
  type: string;
  until: number;
  bl_key: ArrayBuffer;
};

/** The position after which a chunk starts: the previous chunk's last (sort key, id). */
export interface RowCursor {
  key: ArrayBuffer;
  id: number;
}

export const FIRST_ROW: RowCursor = { key: new ArrayBuffer(0), id: -1 };

export function snapshotRows(
  sql: SqlStorage,
  now: number,
  after: RowCursor,
  limit: number,
): SnapshotRow[] {
  return sql
    .exec<SnapshotRow>(
      `SELECT id, type, until, bl_key FROM decisions INDEXED BY decisions_live_sort
       WHERE deleted_seq IS NULL AND bl_key IS NOT NULL AND (bl_key, id) > (?, ?) AND until > ?
       ORDER BY bl_key, id LIMIT ?`,
      after.key,
      after.id,
      now,
      limit,
    )
    .toArray();
}

/**
 * Gives live decisions recorded before schema v3 their sort key, and recomputes every
 * live key when the IPv6 prefix changed (an IPv6 `Ip` key is its /prefix): once, at
 * start-up, before any compaction reads them.
 */
export function backfillSortKeys(
  sql: SqlStorage,
  ipv6Prefix: number,
  keyOf: (scope: string, value: string) => ArrayBuffer | null,
): number {
  if (metaNumber(sql, "bl_key_prefix") === ipv6Prefix) return 0;
  const rows = sql
    .exec<{ id: number; scope: string; value: string }>(
      "SELECT id, scope, value FROM decisions WHERE deleted_seq IS NULL AND parent_id IS NULL",
    )
    .toArray();
  for (const r of rows) {
    sql.exec("UPDATE decisions SET bl_key = ? WHERE id = ?", keyOf(r.scope, r.value), r.id);
  }
  setMeta(sql, "bl_key_prefix", ipv6Prefix);
  return rows.length;
}
