import type { Migration } from "../../durable/migrate";

/**
 * The Registry's tables: members and their trust counters, daily signal counts,
 * enrollment keys (hashes only), and the operator's changes to the safe list.
 */
export const REGISTRY_MIGRATIONS: readonly Migration[] = [
  [
    `CREATE TABLE members (
       id TEXT PRIMARY KEY, salt TEXT NOT NULL, hash TEXT NOT NULL, created_at INTEGER NOT NULL,
       name TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '[]',
       enrolled_at INTEGER, revoked_at INTEGER,
       corroborated INTEGER NOT NULL DEFAULT 0, uncorroborated INTEGER NOT NULL DEFAULT 0,
       safe INTEGER NOT NULL DEFAULT 0, last_seen INTEGER, cursor INTEGER,
       version TEXT NOT NULL DEFAULT '', scenarios INTEGER NOT NULL DEFAULT 0
     ) WITHOUT ROWID`,
    `CREATE TABLE daily (
       member TEXT NOT NULL, day INTEGER NOT NULL, signals INTEGER NOT NULL,
       PRIMARY KEY (member, day)
     ) WITHOUT ROWID`,
    `CREATE TABLE enrollment_keys (
       hash TEXT PRIMARY KEY, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
       uses_left INTEGER NOT NULL, uses INTEGER NOT NULL, note TEXT NOT NULL, tags TEXT NOT NULL
     ) WITHOUT ROWID`,
    `CREATE TABLE safe_sources (name TEXT PRIMARY KEY, body TEXT NOT NULL, updated_at INTEGER NOT NULL)`,
    `CREATE TABLE safe_added (cidr TEXT PRIMARY KEY, reason TEXT NOT NULL, added_at INTEGER NOT NULL)`,
    `CREATE TABLE safe_removed (cidr TEXT PRIMARY KEY, removed_at INTEGER NOT NULL)`,
  ],
];

export type MemberRow = {
  id: string;
  salt: string;
  hash: string;
  created_at: number;
  name: string;
  tags: string;
  enrolled_at: number | null;
  revoked_at: number | null;
  corroborated: number;
  uncorroborated: number;
  safe: number;
  last_seen: number | null;
  cursor: number | null;
  version: string;
  scenarios: number;
};
