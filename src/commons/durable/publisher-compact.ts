import type { DecisionEntry } from "../../core/blocklist/types";
import { metaNumber, setMeta } from "../../durable/migrate";
import { chunk, edgeDecision, encodeCommonsSnapshot } from "../publication/snapshot";
import { BASE_KEY, type BaseRef, CHUNK_BYTES } from "../publication/types";
import type { EntrySql } from "./publisher-schema";

/**
 * Compaction: the whole live list as a base snapshot in KV, so that a full pull (an
 * engine's startup) reads KV and the changes since the base, never a million rows from
 * this object. Entries are read with a cursor into edge decisions and a scenario index
 * per id (a Uint16Array), so the object holds one copy of the list while encoding.
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

export async function compact(sql: SqlStorage, kv: KVNamespace, version: number): Promise<BaseRef> {
  const maxId = metaNumber(sql, "next_id") ?? 0;
  const scenarioById = new Uint16Array(maxId + 1);
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const decisions: DecisionEntry[] = [];
  for (const r of sql.exec<EntrySql>("SELECT * FROM entries WHERE live = 1")) {
    let i = nameIndex.get(r.scenario);
    if (i === undefined) {
      i = names.length;
      names.push(r.scenario);
      nameIndex.set(r.scenario, i);
    }
    scenarioById[r.id] = i;
    decisions.push(edgeDecision(r.id, r.key, r.until));
  }
  const bytes = encodeCommonsSnapshot({
    decisions,
    names,
    scenarioOf: (id) => scenarioById[id] ?? 0,
  });
  const parts = chunk(bytes, CHUNK_BYTES);
  for (let i = 0; i < parts.length; i++) await kv.put(BASE_KEY(version, i), parts[i] as Uint8Array);
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
  setMeta(sql, "base_chunks", parts.length);
  setMeta(sql, "base_entries", decisions.length);
  setMeta(sql, "base_at", Date.now());
  return { version, chunks: parts.length, entries: decisions.length };
}
