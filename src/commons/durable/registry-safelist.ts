import { metaNumber, setMeta } from "../../durable/migrate";
import type { SafeListChanges } from "../policy/safelist";

/**
 * The operator's changes to the safe list (the defaults are embedded in the bundle),
 * with a version every isolate compares to know when to rebuild its copy.
 */

export interface SafeListState {
  version: number;
  changes: SafeListChanges;
}

export function safeListState(sql: SqlStorage): SafeListState {
  const sources: Record<string, string> = {};
  for (const r of sql.exec<{ name: string; body: string }>("SELECT name, body FROM safe_sources"))
    sources[r.name] = r.body;
  return {
    version: safeListVersion(sql),
    changes: {
      sources,
      added: sql
        .exec<{ cidr: string; reason: string }>("SELECT cidr, reason FROM safe_added ORDER BY cidr")
        .toArray(),
      removed: sql
        .exec<{ cidr: string }>("SELECT cidr FROM safe_removed ORDER BY cidr")
        .toArray()
        .map((r) => r.cidr),
    },
  };
}

export function safeListVersion(sql: SqlStorage): number {
  return metaNumber(sql, "safe_version") ?? 0;
}

function bump(sql: SqlStorage): number {
  const v = safeListVersion(sql) + 1;
  setMeta(sql, "safe_version", v);
  return v;
}

export function addSafe(sql: SqlStorage, cidr: string, reason: string, now: number): number {
  sql.exec("DELETE FROM safe_removed WHERE cidr = ?", cidr);
  sql.exec(
    "INSERT OR REPLACE INTO safe_added (cidr, reason, added_at) VALUES (?, ?, ?)",
    cidr,
    reason,
    now,
  );
  return bump(sql);
}

export function removeSafe(sql: SqlStorage, cidr: string, now: number): number {
  sql.exec("DELETE FROM safe_added WHERE cidr = ?", cidr);
  sql.exec("INSERT OR REPLACE INTO safe_removed (cidr, removed_at) VALUES (?, ?)", cidr, now);
  return bump(sql);
}

export function putSafeSource(sql: SqlStorage, name: string, body: string, now: number): number {
  sql.exec(
    "INSERT OR REPLACE INTO safe_sources (name, body, updated_at) VALUES (?, ?, ?)",
    name,
    body,
    now,
  );
  return bump(sql);
}
