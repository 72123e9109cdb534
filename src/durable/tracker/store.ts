import { type BucketState, isBucketState } from "../../core/bucket/index";
import type { DecisionHistory } from "../../core/decision";
import { logfmt } from "../ledger/activity-log";
import type { AlertRecord, DecisionInput } from "../ledger/records";
import { type Migration, metaNumber, setMeta } from "../migrate";

/**
 * Longest bucket state stored, in characters: a Durable Object's SQLite row holds 2 MB,
 * and a character takes up to 3 bytes in UTF-8.
 */
export const STATE_MAX_CHARS = 600_000;

/**
 * The state as stored. Queued events' strings are already cut (core `queuedEvent`), but a
 * large queue of events with many long fields can still outgrow a row: then its oldest
 * events are left out (the count and tokens, which decide overflows, stay; only the
 * alert's evidence is shorter) and the trim is logged.
 */
export function stateJson(state: BucketState, scenario: string): string {
  const json = JSON.stringify(state);
  const live = state.live;
  if (json.length <= STATE_MAX_CHARS || live === undefined) return json;
  const sizes = live.queue.map((e) => JSON.stringify(e).length + 1);
  let total = json.length;
  let drop = 0;
  while (total > STATE_MAX_CHARS && drop < live.queue.length - 1) total -= sizes[drop++] ?? 0;
  console.log(
    logfmt("palisade.tracker.state_trimmed", {
      scenario,
      dropped: drop,
      kept: live.queue.length - drop,
    }),
  );
  return JSON.stringify({ ...state, live: { ...live, queue: live.queue.slice(drop) } });
}

/** SourceTracker schema; append a migration to change it, never edit a shipped one. */
export const TRACKER_MIGRATIONS: readonly Migration[] = [
  [
    `CREATE TABLE buckets (scenario TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL,
       expires REAL, PRIMARY KEY (scenario, key))`,
    "CREATE INDEX buckets_expires ON buckets (expires)",
    `CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, ledger_id INTEGER,
       type TEXT NOT NULL, scope TEXT NOT NULL, value TEXT NOT NULL, until INTEGER NOT NULL,
       scenario TEXT NOT NULL, origin TEXT NOT NULL, created INTEGER NOT NULL,
       outbox INTEGER)`,
    "CREATE INDEX decisions_until ON decisions (until)",
    "CREATE INDEX decisions_outbox ON decisions (outbox)",
    `CREATE TABLE history (value TEXT NOT NULL, type TEXT NOT NULL, at INTEGER NOT NULL,
       until INTEGER NOT NULL)`,
    "CREATE INDEX history_value ON history (value, at)",
    "CREATE TABLE batches (id TEXT PRIMARY KEY, at INTEGER NOT NULL)",
    "CREATE INDEX batches_at ON batches (at)",
    `CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, alert TEXT NOT NULL,
       tries INTEGER NOT NULL DEFAULT 0)`,
  ],
  // The log time the decision's alert ended: escalation counts an earlier decision only
  // when its incident ended before the new alert began (DecisionHistory). Older rows
  // have none and count by their decision time.
  ["ALTER TABLE history ADD COLUMN incident_end INTEGER"],
  // The content hash of the scenario that filled a bucket (runtime content, issue 14): a
  // changed scenario starts fresh, an unchanged one keeps its state across versions.
  // Older rows have none and are kept.
  ["ALTER TABLE buckets ADD COLUMN hash TEXT"],
];

export interface BucketRow {
  scenario: string;
  key: string;
  state: string;
  hash: string | null;
}

// A type, not an interface: SqlStorage rows must be indexable records.
export type DecisionRow = {
  id: number;
  ledger_id: number | null;
  type: string;
  scope: string;
  value: string;
  until: number;
  scenario: string;
  origin: string;
  created: number;
  outbox: number | null;
};

export interface OutboxRow {
  id: number;
  alert: AlertRecord;
  decisions: DecisionRow[];
}

/** Typed access to a SourceTracker's tables. Synchronous: SQLite in a DO is local. */
export class TrackerStore {
  constructor(private readonly sql: SqlStorage) {}

  hasApplied(apply: string): boolean {
    return this.sql.exec("SELECT 1 FROM batches WHERE id = ?", apply).toArray().length > 0;
  }

  markApplied(apply: string, at: number): void {
    this.sql.exec("INSERT OR IGNORE INTO batches (id, at) VALUES (?, ?)", apply, at);
  }

  pruneApplied(before: number): void {
    this.sql.exec("DELETE FROM batches WHERE at < ?", before);
  }

  /**
   * A bucket's state; a row that does not hold one (corrupt, older format) or that another
   * version of the scenario filled (`hash` differs) is dropped.
   */
  loadBucket(scenario: string, key: string, hash?: string): BucketState | undefined {
    const row = this.sql
      .exec<{ state: string; hash: string | null }>(
        "SELECT state, hash FROM buckets WHERE scenario = ? AND key = ?",
        scenario,
        key,
      )
      .toArray()[0];
    if (!row) return undefined;
    if (hash !== undefined && row.hash !== null && row.hash !== hash) {
      this.deleteBucket(scenario, key);
      return undefined;
    }
    const state = parseState(row.state);
    if (!state) this.deleteBucket(scenario, key);
    return state;
  }

  /** Saves (or forgets, when undefined) a bucket; `expires` is in the log's time. */
  saveBucket(
    scenario: string,
    key: string,
    state: BucketState | undefined,
    expires?: number,
    hash?: string,
  ) {
    if (!state) return this.deleteBucket(scenario, key);
    this.sql.exec(
      "INSERT OR REPLACE INTO buckets (scenario, key, state, expires, hash) VALUES (?, ?, ?, ?, ?)",
      scenario,
      key,
      stateJson(state, scenario),
      expires ?? null,
      hash ?? null,
    );
  }

  deleteBucket(scenario: string, key: string): void {
    this.sql.exec("DELETE FROM buckets WHERE scenario = ? AND key = ?", scenario, key);
  }

  /** Buckets due at `logNow` (log time), at most `limit`, soonest first. */
  dueBuckets(logNow: number, limit: number): BucketRow[] {
    return this.sql
      .exec<{ scenario: string; key: string; state: string; hash: string | null }>(
        "SELECT scenario, key, state, hash FROM buckets WHERE expires <= ? ORDER BY expires LIMIT ?",
        logNow,
        limit,
      )
      .toArray();
  }

  nextBucketExpiry(): number | undefined {
    return minOf(this.sql.exec("SELECT MIN(expires) AS m FROM buckets").toArray());
  }

  bucketCount(): number {
    return Number(this.sql.exec("SELECT COUNT(*) AS n FROM buckets").one().n);
  }

  addOutbox(alert: AlertRecord): number {
    return Number(
      this.sql
        .exec("INSERT INTO outbox (alert) VALUES (?) RETURNING id", JSON.stringify(alert))
        .one().id,
    );
  }

  /** A decision of an alert that ended at `incidentEnd` (log time), taken at `now`. */
  addDecision(d: DecisionInput, outbox: number, now: number, incidentEnd: number): void {
    this.sql.exec(
      `INSERT INTO decisions (type, scope, value, until, scenario, origin, created, outbox)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      d.type,
      d.scope,
      d.value,
      d.until,
      d.scenario,
      d.origin,
      now,
      outbox,
    );
    this.sql.exec(
      "INSERT INTO history (value, type, at, until, incident_end) VALUES (?, ?, ?, ?, ?)",
      d.value,
      d.type,
      d.start,
      d.until,
      incidentEnd,
    );
  }

  /**
   * Alerts (and their decisions) the Ledger has not acknowledged yet, oldest first. A row
   * that cannot be read, or that failed `maxTries` deliveries, is dropped and reported
   * in `dropped`, so one bad row never blocks the others.
   */
  outbox(limit: number, maxTries: number): { rows: OutboxRow[]; dropped: number[] } {
    const raw = this.sql
      .exec<{ id: number; alert: string; tries: number }>(
        "SELECT id, alert, tries FROM outbox ORDER BY id LIMIT ?",
        limit,
      )
      .toArray();
    const rows: OutboxRow[] = [];
    const dropped: number[] = [];
    for (const r of raw) {
      const alert = r.tries < maxTries ? parseAlert(r.alert) : undefined;
      if (!alert) {
        this.dropOutbox(r.id);
        dropped.push(r.id);
        continue;
      }
      const decisions = this.sql
        .exec<DecisionRow>("SELECT * FROM decisions WHERE outbox = ? ORDER BY id", r.id)
        .toArray();
      rows.push({ id: r.id, alert, decisions });
    }
    return { rows, dropped };
  }

  outboxFailed(ids: readonly number[]): void {
    for (const id of ids) this.sql.exec("UPDATE outbox SET tries = tries + 1 WHERE id = ?", id);
  }

  dropOutbox(id: number): void {
    this.sql.exec("DELETE FROM outbox WHERE id = ?", id);
    this.sql.exec("DELETE FROM decisions WHERE outbox = ?", id);
  }

  /** The Ledger recorded an outbox entry: its decisions get their Ledger ids. */
  recorded(outbox: number, decisionIds: readonly number[], ledgerIds: readonly number[]): void {
    decisionIds.forEach((id, i) => {
      const ledgerId = ledgerIds[i];
      if (ledgerId === undefined) throw new Error(`ledger returned no id for decision ${id}`);
      this.sql.exec("UPDATE decisions SET ledger_id = ?, outbox = NULL WHERE id = ?", ledgerId, id);
    });
    this.sql.exec("DELETE FROM outbox WHERE id = ?", outbox);
  }

  outboxSize(): number {
    return Number(this.sql.exec("SELECT COUNT(*) AS n FROM outbox").one().n);
  }

  /** Decisions whose time is up and which the Ledger knows (expired or not yet told). */
  dueDecisions(now: number, limit: number): DecisionRow[] {
    return this.sql
      .exec<DecisionRow>(
        `SELECT * FROM decisions WHERE until <= ? AND ledger_id IS NOT NULL
         ORDER BY until LIMIT ?`,
        now,
        limit,
      )
      .toArray();
  }

  deleteDecisions(ids: readonly number[]): void {
    for (const id of ids) this.sql.exec("DELETE FROM decisions WHERE id = ?", id);
  }

  /** The next decision expiry among the live ones (ms, wall clock). */
  nextDecisionExpiry(): number | undefined {
    return minOf(this.sql.exec("SELECT MIN(until) AS m FROM decisions").toArray());
  }

  activeDecisions(now: number): DecisionRow[] {
    return this.sql
      .exec<DecisionRow>("SELECT * FROM decisions WHERE until > ? ORDER BY id", now)
      .toArray();
  }

  pruneHistory(before: number): void {
    this.sql.exec("DELETE FROM history WHERE until < ?", before);
  }

  /** The log clock: the latest event time seen, and the wall time it was seen at. */
  clock(): { log: number; wall: number } | undefined {
    const log = metaNumber(this.sql, "log_clock");
    const wall = metaNumber(this.sql, "wall_clock");
    return log === undefined || wall === undefined ? undefined : { log, wall };
  }

  advanceClock(log: number, wall: number): void {
    const c = this.clock();
    if (c && c.log >= log) return;
    setMeta(this.sql, "log_clock", log);
    setMeta(this.sql, "wall_clock", wall);
  }

  history(): DecisionHistory {
    const sql = this.sql;
    return {
      count(value: string, sinceMs?: number, incidentStart?: number): number {
        // CrowdSec counts decisions created strictly after `since`.
        const row = sql
          .exec<{ n: number }>(
            `SELECT COUNT(*) AS n FROM history
             WHERE value = ? AND at > ? AND coalesce(incident_end, at) < ?`,
            value,
            sinceMs ?? Number.MIN_SAFE_INTEGER,
            incidentStart ?? Number.MAX_SAFE_INTEGER,
          )
          .one();
        return Number(row.n);
      },
    };
  }
}

function parseState(text: string): BucketState | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isBucketState(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function parseAlert(text: string): AlertRecord | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && "scenario" in value
      ? (value as AlertRecord)
      : undefined;
  } catch {
    return undefined;
  }
}

function minOf(rows: Record<string, SqlStorageValue>[]): number | undefined {
  const m = rows[0]?.m;
  return typeof m === "number" ? m : undefined;
}
