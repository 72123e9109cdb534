import type { Migration } from "../../durable/migrate";

/**
 * The published list: every key ever listed with its stable id (`live` = listed now),
 * which keys each version changed (the deltas: a key's net change since version v is its
 * current state), the versions, and the Publisher's cursor in each shard's outbox.
 */
export const PUBLISHER_MIGRATIONS: readonly Migration[] = [
  [
    `CREATE TABLE entries (
       key TEXT PRIMARY KEY, id INTEGER NOT NULL UNIQUE, scope TEXT NOT NULL,
       scenario TEXT NOT NULL, until INTEGER NOT NULL, live INTEGER NOT NULL
     ) WITHOUT ROWID`,
    "CREATE INDEX entries_live ON entries (live)",
    `CREATE TABLE changes (
       version INTEGER NOT NULL, key TEXT NOT NULL, PRIMARY KEY (version, key)
     ) WITHOUT ROWID`,
    `CREATE TABLE versions (
       version INTEGER PRIMARY KEY, at INTEGER NOT NULL, adds INTEGER NOT NULL,
       dels INTEGER NOT NULL, bytes INTEGER NOT NULL
     )`,
    "CREATE TABLE cursors (shard INTEGER PRIMARY KEY, seq INTEGER NOT NULL)",
    "CREATE TABLE dirty (shard INTEGER PRIMARY KEY)",
  ],
];

export type EntrySql = {
  key: string;
  id: number;
  scope: string;
  scenario: string;
  until: number;
  live: number;
};
