import type { DeltaOp } from "../../core/blocklist/types";
import { metaNumber, setMeta } from "../../durable/migrate";
import { edgeDecision } from "../publication/snapshot";
import type { PublishedEntry } from "../publication/types";
import type { EntrySql } from "./publisher-schema";
import type { OutboxRow } from "./shard";

/** The Publisher's list in SQL: applying drained changes, reading changes since a version. */

export function entryOf(r: EntrySql): PublishedEntry {
  return {
    id: r.id,
    key: r.key,
    scope: r.scope === "Range" ? "Range" : "Ip",
    scenario: r.scenario,
    until: r.until,
  };
}

export interface Applied {
  adds: number;
  dels: number;
  /** Size of the version's delta in the core/blocklist format (JSON `DeltaOp[]`), bytes. */
  bytes: number;
}

function opBytes(op: DeltaOp): number {
  return JSON.stringify(op).length + 1;
}

/** Applies one shard's drained rows under `version`; returns what changed. */
export function applyRows(
  sql: SqlStorage,
  rows: readonly OutboxRow[],
  version: number,
  into: Applied,
): void {
  for (const r of rows) {
    const known = sql.exec<EntrySql>("SELECT * FROM entries WHERE key = ?", r.key).toArray()[0];
    if (r.op === "add") {
      const id = known?.id ?? nextId(sql);
      sql.exec(
        "INSERT OR REPLACE INTO entries (key, id, scope, scenario, until, live) VALUES (?, ?, ?, ?, ?, 1)",
        r.key,
        id,
        r.scope,
        r.scenario,
        r.until,
      );
      into.adds += 1;
      into.bytes += opBytes({ op: "add", d: edgeDecision(id, r.key, r.until) });
    } else if (known && known.live === 1) {
      sql.exec("UPDATE entries SET live = 0 WHERE key = ?", r.key);
      into.dels += 1;
      into.bytes += opBytes({ op: "del", id: known.id });
    } else continue;
    sql.exec("INSERT OR IGNORE INTO changes (version, key) VALUES (?, ?)", version, r.key);
  }
}

function nextId(sql: SqlStorage): number {
  const id = (metaNumber(sql, "next_id") ?? 0) + 1;
  setMeta(sql, "next_id", id);
  return id;
}

/** Every key changed after `version`, in its current state (live: listed; else delisted). */
export function changedSince(sql: SqlStorage, version: number): EntrySql[] {
  return sql
    .exec<EntrySql>(
      "SELECT e.* FROM entries e WHERE e.key IN (SELECT DISTINCT key FROM changes WHERE version > ?)",
      version,
    )
    .toArray();
}

export function liveCount(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM entries WHERE live = 1").one().n;
}

/** Changes since `version` (an upper bound on the keys they touch). */
export function changeCount(sql: SqlStorage, version: number): number {
  return sql
    .exec<{ n: number }>("SELECT COUNT(*) AS n FROM changes WHERE version > ?", version)
    .one().n;
}
