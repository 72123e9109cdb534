import type { Migration } from "../migrate";

/**
 * Ledger schema version 8: membership of a commons (issue 12). Never edit a shipped
 * step; add another.
 *
 * - `commons_member`: the one membership (row id 1): the commons' URL, this member's CAPI
 *   machine id and password (secrets stay here, never in KV), its JWT and expiry, the
 *   sharing settings, the stream cursor, and what the status shows.
 * - `commons_outbox`: signals waiting for the commons, by their uuid. A row is deleted only
 *   once the commons acknowledged the request that carried it, so a crash between send and
 *   acknowledgement sends the same uuids again (the commons deduplicates by uuid).
 * - `commons_suppressed`: community decisions the operator deleted here
 *   (`decisions delete --origin CAPI`): not applied again until the commons delists the
 *   address (a `deleted` entry) and lists it anew.
 */
export const LEDGER_COMMONS: Migration = [
  `CREATE TABLE commons_member (id INTEGER PRIMARY KEY CHECK (id = 1), url TEXT NOT NULL,
     machine_id TEXT NOT NULL, password TEXT NOT NULL, name TEXT NOT NULL,
     token TEXT, token_until INTEGER, enrolled_at INTEGER NOT NULL, settings TEXT NOT NULL,
     cursor INTEGER, last_push INTEGER, last_pull INTEGER,
     signals_shared INTEGER NOT NULL DEFAULT 0, last_error TEXT, last_error_at INTEGER)`,
  `CREATE TABLE commons_outbox (uuid TEXT PRIMARY KEY, at INTEGER NOT NULL,
     scenario TEXT NOT NULL, signal TEXT NOT NULL)`,
  "CREATE INDEX commons_outbox_at ON commons_outbox (at)",
  "CREATE TABLE commons_suppressed (value TEXT PRIMARY KEY, at INTEGER NOT NULL)",
];
