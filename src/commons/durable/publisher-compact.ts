import { metaNumber, setMeta } from "../../durable/migrate";
import { encodeCommonsSnapshot, snapshotInput } from "../publication/snapshot";
import { BASE_KEY, type BaseRef } from "../publication/types";
import { entryOf } from "./publisher-list";
import type { EntrySql } from "./publisher-schema";

/**
 * Compaction: the whole live list as a base snapshot in KV, so that a full pull (an
 * engine's startup) reads KV and the changes since the base, never a million rows from
 * this object. The base is written in parts of COMMONS_BASE_PART_ENTRIES entries in key order, each a
 * complete snapshot (`cl:base:<version>:<part>`), so that encoding never holds more than
 * a part in memory (an object has 128 MB) and a reader streams part after part.
 */

export function baseRef(sql: SqlStorage): BaseRef | null {
  const version = metaNumber(sql, "base_version");
  if (version === undefined) return null;
  return {
    version,
    chunks: metaNumber(sql, "base_chunks") ?? 1,
    entries: metaNumber(sql, "base_entries") ?? 0,
  };
}

/** How long the last compaction took and how big its snapshot is. */
export function baseCost(sql: SqlStorage): { ms: number; bytes: number } {
  return { ms: metaNumber(sql, "base_ms") ?? 0, bytes: metaNumber(sql, "base_bytes") ?? 0 };
}

/** KV takes up to a minute to show a new value everywhere. */
const KV_SETTLE_MS = 90_000;

/**
 * The base a full pull reads: the newest once KV has had time to propagate it, the one
 * before until then (kept, with the changes since it, for that purpose).
 */
export function usableBase(sql: SqlStorage, now: number): BaseRef | null {
  const base = baseRef(sql);
  const prev = metaNumber(sql, "prev_base_version");
  const at = metaNumber(sql, "base_at") ?? 0;
  if (!base || prev === undefined || now - at >= KV_SETTLE_MS) return base;
  return {
    version: prev,
    chunks: metaNumber(sql, "prev_base_chunks") ?? 1,
    entries: metaNumber(sql, "prev_base_entries") ?? 0,
  };
}

/** `partEntries` (COMMONS_BASE_PART_ENTRIES): a part's encoding stays within a few MB. */
export async function compact(
  sql: SqlStorage,
  kv: KVNamespace,
  version: number,
  partEntries: number,
): Promise<BaseRef> {
  const t0 = Date.now();
  let parts = 0;
  let entries = 0;
  let bytes = 0;
  let after = "";
  for (;;) {
    const rows = sql
      .exec<EntrySql>(
        "SELECT * FROM entries WHERE live = 1 AND key > ? ORDER BY key LIMIT ?",
        after,
        partEntries,
      )
      .toArray();
    if (rows.length === 0 && parts > 0) break;
    const part = encodeCommonsSnapshot(snapshotInput(rows.map(entryOf)));
    await kv.put(BASE_KEY(version, parts), part);
    parts += 1;
    entries += rows.length;
    bytes += part.length;
    if (rows.length < partEntries) break;
    after = (rows.at(-1) as EntrySql).key;
  }
  const previous = baseRef(sql);
  // The base before the previous one is gone; the previous stays for pulls reading it now.
  const older = metaNumber(sql, "prev_base_version");
  if (older !== undefined) {
    const n = metaNumber(sql, "prev_base_chunks") ?? 1;
    for (let i = 0; i < n; i++) await kv.delete(BASE_KEY(older, i));
  }
  if (previous) {
    setMeta(sql, "prev_base_version", previous.version);
    setMeta(sql, "prev_base_chunks", previous.chunks);
    setMeta(sql, "prev_base_entries", previous.entries);
  }
  setMeta(sql, "base_version", version);
  setMeta(sql, "base_chunks", parts);
  setMeta(sql, "base_entries", entries);
  setMeta(sql, "base_at", Date.now());
  setMeta(sql, "base_ms", Date.now() - t0);
  setMeta(sql, "base_bytes", bytes);
  return { version, chunks: parts, entries };
}
