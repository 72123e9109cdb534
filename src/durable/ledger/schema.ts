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
 * Ledger schema version 3 (the console, metrics and notifications: issue 13).
 *
 * - `series`: counts per 5-minute bucket (`at` = bucket start, ms) of what the overview
 *   charts over time besides alerts and decisions: lines ingested per machine, edge
 *   outcomes, the countries and ASNs of the visitors the edge stopped. Pruned after 8 days.
 * - `console_sessions`: the console's sessions (the cookie's SHA-256, never the cookie),
 *   each with its CSRF token; deleting a row revokes the session at once.
 * - `notify_pending` (alerts waiting for their channel's group), `notify_state` (each
 *   channel's rate window and alerts left out of a message), `notify_dead` (messages the
 *   dead-letter queue handed back, for the operator to see).
 */
export const LEDGER_V3: Migration = [
  `CREATE TABLE series (metric TEXT NOT NULL, a TEXT NOT NULL, at INTEGER NOT NULL,
     n INTEGER NOT NULL, PRIMARY KEY (metric, at, a))`,
  `CREATE TABLE console_sessions (id TEXT PRIMARY KEY, who TEXT NOT NULL, via TEXT NOT NULL,
     csrf TEXT NOT NULL, created INTEGER NOT NULL, last_seen INTEGER NOT NULL,
     expires INTEGER NOT NULL, ip TEXT, user_agent TEXT)`,
  "CREATE INDEX decisions_start ON decisions (start)",
  `CREATE TABLE notify_pending (n INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL,
     alert_seq INTEGER NOT NULL, at INTEGER NOT NULL)`,
  "CREATE INDEX notify_pending_channel ON notify_pending (channel, n)",
  `CREATE TABLE notify_state (channel TEXT PRIMARY KEY, window_start INTEGER NOT NULL,
     sent INTEGER NOT NULL, omitted INTEGER NOT NULL)`,
  `CREATE TABLE notify_dead (id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL,
     at INTEGER NOT NULL, attempts INTEGER NOT NULL, error TEXT NOT NULL, alerts TEXT NOT NULL)`,
];

/**
 * Ledger schema version 4 (separate roles, issue 10): a machine is a `watcher` (logs in
 * as a CrowdSec agent or cscli) or an `ingest` machine (a shipper's bearer token), never
 * both. Machines made before were documented as shippers' tokens: they stay `ingest`, and
 * an operator who also used one as a watcher makes a watcher for it
 * (`palisade machines add NAME`).
 */
export const LEDGER_V4: Migration = [
  "ALTER TABLE machines ADD COLUMN role TEXT NOT NULL DEFAULT 'ingest'",
];

/**
 * Ledger schema version 5 (issue 10): what bouncers see may differ from what the Ledger
 * enforces. A `Range` decision around an operator-allowlisted address is carved for the
 * bouncer stream (stream-split.ts): the range itself stays live for the admin API and the
 * edge, leaves the stream (`out_seq`), and child rows (`parent_id`) holding the rest of
 * the range are streamed instead. `out_seq` is the seq at which a row left what bouncers
 * see (its `deleted_seq` for every row that is not a carved range); the stream reads it
 * where it read `deleted_seq`, with partial indexes mirroring the live ones.
 */
export const LEDGER_V5: Migration = [
  "ALTER TABLE decisions ADD COLUMN parent_id INTEGER",
  "ALTER TABLE decisions ADD COLUMN out_seq INTEGER",
  "UPDATE decisions SET out_seq = deleted_seq",
  "CREATE INDEX decisions_out_seq ON decisions (out_seq)",
  "CREATE INDEX decisions_out_live_id ON decisions (id) WHERE out_seq IS NULL",
  `CREATE INDEX decisions_out_live_key ON decisions (value, type, scope, until)
     WHERE out_seq IS NULL`,
  "CREATE INDEX decisions_parent ON decisions (parent_id) WHERE parent_id IS NOT NULL",
];

/**
 * Ledger schema version 6 (issue 10): the ingest queue's dead letters; for retention, an
 * index over ended decisions (v1's decisions_alert finds the decisions of an alert).
 */
export const LEDGER_V6: Migration = [
  `CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL,
     message_id TEXT NOT NULL, enqueued INTEGER NOT NULL, dead INTEGER NOT NULL,
     attempts INTEGER NOT NULL, reason TEXT NOT NULL, items INTEGER NOT NULL,
     events INTEGER NOT NULL, sources TEXT NOT NULL, body BLOB NOT NULL,
     UNIQUE (queue, message_id))`,
  "CREATE INDEX decisions_ended ON decisions (deleted_seq, deleted_at) WHERE deleted_seq IS NOT NULL",
];

/**
 * Ledger schema version 7 (the KV blocklist at a million decisions: issue 16).
 *
 * - decisions get `bl_key`, the sort key of their blocklist entry (core/blocklist
 *   sort-key.ts: table, then key words big-endian), NULL when the edge cannot enforce the
 *   decision's scope. A partial index over live rows covers what a snapshot holds, in
 *   snapshot order, so compaction streams rows from SQLite into the encoder chunk by
 *   chunk instead of loading every live decision. Live rows recorded before are
 *   back-filled once (and again if IPV6_PREFIX changes, as an IPv6 key depends on it).
 */
export const LEDGER_V7: Migration = [
  "ALTER TABLE decisions ADD COLUMN bl_key BLOB",
  `CREATE INDEX decisions_live_sort ON decisions (bl_key, id, until, type)
     WHERE deleted_seq IS NULL AND bl_key IS NOT NULL`,
];
