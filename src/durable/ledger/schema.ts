import type { Migration } from "../migrate";

/**
 * Ledger schema version 2 (the API: issue 5). Appended to LEDGER_MIGRATIONS; never edit
 * a shipped step, add another.
 *
 * - decisions get their address bounds (`ip_size` 4 or 16, `ip_start`/`ip_end` as
 *   fixed-width lowercase hex, so text order is numeric order) for CrowdSec's `ip`/`range`
 *   filters, and why they ended (`deleted_reason`). Partial indexes over live rows keep
 *   the bouncer queries proportional to what they return, not to the table: the startup
 *   dump walks `decisions_live_id`, the "longest decision per key" check probes
 *   `decisions_live_key`, an incremental poll reads `decisions_seq` /
 *   `decisions_deleted_seq` from its cursor on.
 * - bouncers (hashed API keys) and their per-(key, client IP) stream cursors.
 * - the operator's allowlist; counters for the admin metrics.
 */
export const LEDGER_V2: Migration = [
  "ALTER TABLE decisions ADD COLUMN ip_size INTEGER",
  "ALTER TABLE decisions ADD COLUMN ip_start TEXT",
  "ALTER TABLE decisions ADD COLUMN ip_end TEXT",
  "ALTER TABLE decisions ADD COLUMN deleted_reason TEXT",
  "CREATE INDEX decisions_live_id ON decisions (id) WHERE deleted_seq IS NULL",
  `CREATE INDEX decisions_live_key ON decisions (value, type, scope, until)
     WHERE deleted_seq IS NULL`,
  `CREATE INDEX decisions_live_ip ON decisions (ip_size, ip_start, ip_end)
     WHERE deleted_seq IS NULL`,
  "CREATE INDEX decisions_key ON decisions (value, type, scope, deleted_seq)",
  "ALTER TABLE alerts ADD COLUMN machine TEXT",
  "CREATE INDEX alerts_scenario ON alerts (scenario)",
  "CREATE INDEX alerts_created ON alerts (created)",
  "ALTER TABLE machines ADD COLUMN last_seen INTEGER",
  `CREATE TABLE bouncers (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
     key_hash TEXT NOT NULL UNIQUE, created INTEGER NOT NULL, last_pull INTEGER,
     user_agent TEXT, last_ip TEXT)`,
  `CREATE TABLE bouncer_cursors (bouncer INTEGER NOT NULL, ip TEXT NOT NULL,
     seq INTEGER NOT NULL, last_pull INTEGER NOT NULL, user_agent TEXT,
     PRIMARY KEY (bouncer, ip))`,
  `CREATE TABLE allowlist (id INTEGER PRIMARY KEY AUTOINCREMENT, value TEXT NOT NULL UNIQUE,
     ip_size INTEGER NOT NULL, ip_start TEXT NOT NULL, ip_end TEXT NOT NULL,
     reason TEXT NOT NULL, created INTEGER NOT NULL, expires INTEGER)`,
  "CREATE INDEX allowlist_expires ON allowlist (expires)",
  `CREATE TABLE counters (metric TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL,
     n INTEGER NOT NULL, PRIMARY KEY (metric, a, b))`,
];

/**
 * Ledger schema version 3 (the KV blocklist at a million decisions: issue 16).
 *
 * - decisions get `bl_key`, the sort key of their blocklist entry (core/blocklist
 *   sort-key.ts: table, then key words big-endian), NULL when the edge cannot enforce the
 *   decision's scope. A partial index over live rows covers what a snapshot holds, in
 *   snapshot order, so compaction streams rows from SQLite into the encoder chunk by
 *   chunk instead of loading every live decision. Live rows recorded before are
 *   back-filled once (and again if IPV6_PREFIX changes, as an IPv6 key depends on it).
 */
export const LEDGER_V3: Migration = [
  "ALTER TABLE decisions ADD COLUMN bl_key BLOB",
  `CREATE INDEX decisions_live_sort ON decisions (bl_key, id, until, type)
     WHERE deleted_seq IS NULL AND bl_key IS NOT NULL`,
];
