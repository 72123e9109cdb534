/**
 * Batch ids (printable ASCII, at most 128 characters: the Worker's rule). Live batches get a
 * random id stored with them in the spool, so a re-send after a crash reuses it; backfills
 * (--once) derive theirs from the file and the batch's bounds, so running the same
 * backfill twice is deduplicated by the Worker too.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Position } from "./batcher";

export function randomBatchId(): string {
  return randomUUID();
}

/** Same file, same bounds, same id: a re-run backfill is acknowledged, not counted again. */
export function backfillBatchId(
  host: string,
  type: string,
): (p: Position[], lines: number) => string {
  return (positions, lines) => {
    const h = createHash("sha256").update(`${host}\n${type}\n${lines}`);
    for (const p of positions)
      h.update(
        `\n${JSON.stringify(p.kind === "file" ? [p.key, p.head, p.headLen, p.offset] : [p.cursor])}`,
      );
    return `backfill-${h.digest("hex").slice(0, 32)}`;
  };
}
