import type { BaseRef, Manifest } from "../../core/blocklist/index";
import { metaNumber, metaText } from "../migrate";
import type { CompactionStats } from "./kv-compact";

/** The KV writer's state, kept in the Ledger's `meta` table. */
export interface KvState {
  epoch: number;
  base: BaseRef | null;
  /** A base written before manifest v2 (one key, no layout): the next flush compacts. */
  legacyBase: string | null;
  deltas: string[];
  /** Changes written in this epoch's deltas. */
  entries: number;
  /** When the epoch began (its base was written). */
  epochAt: number;
  /** Last manifest write, ms (0: never). */
  lastWrite: number;
  /** A key an edge could not read, to be rewritten by the next compaction. */
  repair: string | null;
  lastCompaction: CompactionStats | null;
}

export function readKvState(sql: SqlStorage): KvState {
  const ref = metaText(sql, "kv_base_ref");
  const legacy = metaText(sql, "kv_base");
  const last = metaText(sql, "kv_last_compaction");
  return {
    epoch: metaNumber(sql, "kv_epoch") ?? 0,
    base: ref ? (JSON.parse(ref) as BaseRef) : null,
    legacyBase: !ref && legacy ? legacy : null,
    deltas: JSON.parse(metaText(sql, "kv_deltas") ?? "[]") as string[],
    entries: metaNumber(sql, "kv_entries") ?? 0,
    epochAt: metaNumber(sql, "kv_epoch_at") ?? 0,
    lastWrite: metaNumber(sql, "kv_last_write") ?? 0,
    repair: metaText(sql, "kv_repair") || null,
    lastCompaction: last ? (JSON.parse(last) as CompactionStats) : null,
  };
}

/** The manifest of the current epoch with `deltas`. */
export function manifestOf(st: KvState, deltas: string[], now: number): Manifest {
  return { v: 2, epoch: st.epoch, base: st.base, deltas, updated: now };
}
