import {
  type BaseRef,
  type EncodedPart,
  type PartRef,
  readSortKey,
  SnapshotEncoder,
} from "../../core/blocklist/index";
import { FIRST_ROW, type RowCursor, snapshotRows } from "./snapshot-rows";

/**
 * Compaction's streaming half: live decisions leave SQLite in snapshot order a chunk of
 * rows at a time, go through the streaming encoder, and each part it completes is handed
 * to `putPart` (a KV write) before the next rows are read. The Ledger holds one chunk of
 * rows and one part, whatever the number of decisions. Between chunks it yields, so
 * ingest and bouncer calls are answered during a long compaction; a change made meanwhile
 * stays queued for the next epoch's deltas (see KvWriter.compactNow), so whichever chunk
 * it lands in, the edge ends up right.
 */

/** Rows per SQLite read. */
export const CHUNK_ROWS = 10_000;

export interface CompactionStats {
  epoch: number;
  /** Rows read from SQLite (live, enforceable decisions). */
  rows: number;
  chunks: number;
  parts: number;
  bytes: number;
  /** The encoder's most bytes held at once (a part's columns and its encoding). */
  peak_bytes: number;
  at: number;
}

export type PutPart = (index: number, part: EncodedPart) => Promise<string>;

export async function streamSnapshot(
  sql: SqlStorage,
  now: number,
  partBytes: number,
  putPart: PutPart,
  chunkRows = CHUNK_ROWS,
): Promise<{ base: BaseRef; rows: number; chunks: number; peak: number }> {
  const encoder = new SnapshotEncoder(partBytes);
  const keys: string[] = [];
  const words = new Uint32Array(8);
  let after: RowCursor = FIRST_ROW;
  let rows = 0;
  let chunks = 0;
  for (;;) {
    const chunk = snapshotRows(sql, now, after, chunkRows);
    chunks++;
    for (const r of chunk) {
      const table = readSortKey(new Uint8Array(r.bl_key), words);
      if (table < 0) continue;
      const done = encoder.addKey(table, words, r.id, r.until, r.type);
      if (done) keys.push(await putPart(keys.length, done));
    }
    rows += chunk.length;
    const last = chunk[chunk.length - 1];
    if (!last || chunk.length < chunkRows) break;
    after = { key: last.bl_key, id: last.id };
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const last = encoder.finish();
  if (last) keys.push(await putPart(keys.length, last));
  const layout = encoder.layout();
  const parts: PartRef[] = layout.parts.map((p, i) => ({ ...p, key: keys[i] as string }));
  return { base: { ...layout, parts }, rows, chunks, peak: encoder.peakBytes };
}
