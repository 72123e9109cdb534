import type { DecisionEntry, DeltaOp } from "../../core/blocklist/index";
import { DECISION_ORIGINS } from "../../core/decision";
import { type Migration, metaNumber, setMeta } from "../migrate";
import { ActivityBatch, logAlert } from "./activity-log";
import { LEDGER_COMMONS } from "./commons-schema";
import { LEDGER_CONTENT } from "./content";
import { bump } from "./counters";
import { ipKeyOfDecision } from "./ipkey";
import {
  type AlertRecord,
  type BatchCounts,
  boundedDecision,
  type DecisionInput,
  type RecordItem,
  type RecordResult,
} from "./records";
import { LEDGER_V2, LEDGER_V3, LEDGER_V4, LEDGER_V5, LEDGER_V6, LEDGER_V7 } from "./schema";

/** Ledger schema; append a migration to change it, never edit a shipped one. */
export const LEDGER_MIGRATIONS: readonly Migration[] = [
  [
    `CREATE TABLE alerts (seq INTEGER PRIMARY KEY, scenario TEXT NOT NULL,
       scope TEXT NOT NULL, value TEXT NOT NULL, created INTEGER NOT NULL,
       allowlisted INTEGER NOT NULL, alert TEXT NOT NULL)`,
    "CREATE INDEX alerts_value ON alerts (value)",
    `CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE,
       seq INTEGER NOT NULL, origin TEXT NOT NULL, type TEXT NOT NULL, scope TEXT NOT NULL,
       value TEXT NOT NULL, start INTEGER NOT NULL, until INTEGER NOT NULL,
       scenario TEXT NOT NULL, alert_seq INTEGER, deleted_seq INTEGER, deleted_at INTEGER)`,
    "CREATE INDEX decisions_seq ON decisions (seq)",
    "CREATE INDEX decisions_deleted_seq ON decisions (deleted_seq)",
    "CREATE INDEX decisions_live ON decisions (deleted_seq, until)",
    "CREATE INDEX decisions_value ON decisions (value)",
    "CREATE INDEX decisions_alert ON decisions (alert_seq)",
    `CREATE TABLE batches (machine TEXT NOT NULL, id TEXT NOT NULL, counts TEXT NOT NULL,
       at INTEGER NOT NULL, PRIMARY KEY (machine, id))`,
    "CREATE INDEX batches_at ON batches (at)",
    `CREATE TABLE machines (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
       token_hash TEXT NOT NULL UNIQUE, created INTEGER NOT NULL)`,
    `CREATE TABLE refs (ref TEXT PRIMARY KEY, alert_seq INTEGER, ids TEXT NOT NULL,
       at INTEGER NOT NULL)`,
    "CREATE INDEX refs_at ON refs (at)",
    "CREATE TABLE kv_pending (n INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL)",
    "CREATE TABLE kv_garbage (key TEXT PRIMARY KEY, after INTEGER NOT NULL)",
  ],
  LEDGER_V2,
  LEDGER_V3,
  LEDGER_V4,
  LEDGER_V5,
  LEDGER_V6,
  LEDGER_V7,
  LEDGER_COMMONS,
  LEDGER_CONTENT,
];

// A type, not an interface: SqlStorage rows must be indexable records.
export type LedgerDecisionRow = {
  id: number;
  uuid: string;
  seq: number;
  origin: string;
  type: string;
  scope: string;
  value: string;
  start: number;
  until: number;
  scenario: string;
  alert_seq: number | null;
  deleted_seq: number | null;
  deleted_at: number | null;
  ip_size: number | null;
  ip_start: string | null;
  ip_end: string | null;
  /** `expired`, `deleted`, `allowlisted`, `recarved` (null while live). */
  deleted_reason: string | null;
  /** A piece of a carved range: the range's id (stream-split.ts); null for a decision. */
  parent_id: number | null;
  /** When the row left what bouncers see (its deleted_seq, or when its range was carved). */
  out_seq: number | null;
  /** The blocklist sort key (schema v3), null when the edge cannot enforce the decision. */
  bl_key: ArrayBuffer | null;
};

/** Why a decision ended; `recarved`: a piece replaced when its range was carved again. */
export type EndReason = "expired" | "deleted" | "allowlisted" | "recarved";

/** What `record` needs from the Ledger besides the tables. */
export interface RecordHooks {
  /** The blocklist entry of a decision (null: the edge cannot enforce its scope). */
  toEntry(d: LedgerDecisionRow): DecisionEntry | null;
  /** The blocklist sort key of a decision's scope and value (null: none). */
  sortKey(scope: string, value: string): ArrayBuffer | null;
  /** The operator allowlist entry covering a decision (`reason (cidr)`), if any. */
  allowed(d: DecisionInput): string | undefined;
  /** A recorded alert, for the notification channels its profiles lead to. */
  notify?(a: AlertRecord, seq: number, now: number): void;
  /** The longest a decision may last (MAX_DECISION_DURATION): longer ones are cut to it. */
  maxDurationMs: number;
  /** A live `Range` decision was recorded: carve the allowlisted addresses out of it for bouncers. */
  carve(row: LedgerDecisionRow, now: number): void;
  /**
   * A recorded alert, for the commons (queued as a signal when it is shared); `manual`
   * when its decisions were made by hand (the admin API, or cscli through a watcher).
   */
  share?(a: AlertRecord, manual: boolean, now: number): void;
  /** A live decision was recorded (a local one ends the community's on its value). */
  recorded?(row: LedgerDecisionRow, now: number): void;
}

/** The machine name of decisions made through the admin API (ops.ts `manual`). */
const MANUAL_MACHINE = "admin";

/** Typed access to the Ledger's tables. Every change takes the next `seq`. */
export class LedgerStore {
  /** The activity log of the batch under way (record, delete), if one is. */
  private activity: ActivityBatch | null = null;

  constructor(private readonly sql: SqlStorage) {}

  /**
   * Runs `fn` as one batch of the activity log (nested calls join the outer batch): the
   * first lines of each kind one by one, a count of the rest (ActivityBatch).
   */
  logged<T>(fn: () => T): T {
    if (this.activity) return fn();
    this.activity = new ActivityBatch();
    try {
      return fn();
    } finally {
      this.activity.close();
      this.activity = null;
    }
  }

  get seq(): number {
    return metaNumber(this.sql, "seq") ?? 0;
  }

  /** The next sequence number, taken by a change. */
  nextSeq(): number {
    const seq = this.seq + 1;
    setMeta(this.sql, "seq", seq);
    return seq;
  }

  /**
   * Records alerts and decisions; an item whose ref is known returns its first result. A
   * decision the operator's allowlist covers is recorded as already ended
   * (`allowlisted`): it keeps its id (trackers map their rows by position) but never
   * reaches KV or a bouncer, and its alert is marked allowlisted.
   */
  record(item: RecordItem, now: number, hooks: RecordHooks): RecordResult {
    return this.logged(() => this.recordItem(item, now, hooks));
  }

  private recordItem(item: RecordItem, now: number, hooks: RecordHooks): RecordResult {
    const known = this.sql
      .exec<{ alert_seq: number | null; ids: string }>(
        "SELECT alert_seq, ids FROM refs WHERE ref = ?",
        item.ref,
      )
      .toArray()[0];
    if (known) {
      return { ref: item.ref, alertSeq: known.alert_seq, ids: JSON.parse(known.ids) as number[] };
    }
    const gates = item.decisions.map((d) => hooks.allowed(d));
    let alertSeq: number | null = null;
    if (item.alert) {
      alertSeq = this.nextSeq();
      const a = { ...item.alert };
      const by = gates.find((g) => g !== undefined);
      if (by !== undefined && gates.every((g) => g !== undefined)) {
        a.allowlisted = true;
        a.allowlisted_by = by;
      }
      this.sql.exec(
        `INSERT INTO alerts (seq, scenario, scope, value, created, allowlisted, alert, machine)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        alertSeq,
        a.scenario,
        a.source.scope,
        a.source.value,
        now,
        a.allowlisted ? 1 : 0,
        JSON.stringify(a),
        item.machine ?? null,
      );
      bump(this.sql, "alerts", a.scenario, a.allowlisted ? "allowlisted" : "", 1, now);
      hooks.notify?.(a, alertSeq, now);
      const manual =
        item.machine === MANUAL_MACHINE ||
        item.decisions.some((d) => d.origin === DECISION_ORIGINS.manual);
      hooks.share?.(a, manual, now);
      logAlert(alertSeq, a, item.machine ?? null);
    }
    const ids = item.decisions.map((d, i) =>
      this.addDecision(
        boundedDecision(d, hooks.maxDurationMs, now),
        alertSeq,
        hooks,
        gates[i] !== undefined,
        now,
      ),
    );
    this.sql.exec(
      "INSERT INTO refs (ref, alert_seq, ids, at) VALUES (?, ?, ?, ?)",
      item.ref,
      alertSeq,
      JSON.stringify(ids),
      now,
    );
    return { ref: item.ref, alertSeq, ids };
  }

  private addDecision(
    d: DecisionInput,
    alertSeq: number | null,
    hooks: RecordHooks,
    allowlisted: boolean,
    now: number,
  ): number {
    const seq = this.nextSeq();
    const ip = ipKeyOfDecision(d.scope, d.value);
    const row = this.sql
      .exec<LedgerDecisionRow>(
        `INSERT INTO decisions (uuid, seq, origin, type, scope, value, start, until, scenario,
           alert_seq, ip_size, ip_start, ip_end, bl_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        crypto.randomUUID(),
        seq,
        d.origin,
        d.type,
        d.scope,
        d.value,
        d.start,
        d.until,
        d.scenario,
        alertSeq,
        ip?.size ?? null,
        ip?.start ?? null,
        ip?.end ?? null,
        hooks.sortKey(d.scope, d.value),
      )
      .one();
    bump(this.sql, "decisions", d.origin, d.type, 1, now);
    this.activity?.decision(row);
    if (allowlisted) {
      this.endDecision(row.id, now, "allowlisted");
      return row.id;
    }
    hooks.recorded?.(row, now);
    const entry = hooks.toEntry(row);
    if (entry) this.pushOp({ op: "add", d: entry });
    if (row.scope === "Range") hooks.carve(row, now);
    return row.id;
  }

  /**
   * Marks decisions ended (expired, deleted, allowlisted); returns the ids that were
   * still live. Each end takes a seq (the bouncer stream's `deleted`) and a KV `del`;
   * a carved range's pieces end with it. Pieces themselves are never ended by id here.
   */
  delete(ids: readonly number[], now: number, reason: EndReason = "expired"): number[] {
    return this.logged(() => this.endLive(ids, now, reason));
  }

  private endLive(ids: readonly number[], now: number, reason: EndReason): number[] {
    const done: number[] = [];
    const queue = [...ids];
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i] as number;
      const live = this.sql
        .exec<LedgerDecisionRow>(
          "SELECT * FROM decisions WHERE id = ? AND deleted_seq IS NULL AND parent_id IS NULL",
          id,
        )
        .toArray()[0];
      if (live === undefined) continue;
      this.endDecision(id, now, reason);
      this.pushOp({ op: "del", id });
      this.endPieces(id, now, reason);
      done.push(id);
      if (live.scope === "Range") queue.push(...this.addressCompanions(live));
    }
    return done;
  }

  /** Ends the live pieces of a carved range (no KV op: the edge holds the range itself). */
  endPieces(parentId: number, now: number, reason: EndReason): void {
    this.logged(() => this.endLivePieces(parentId, now, reason));
  }

  private endLivePieces(parentId: number, now: number, reason: EndReason): void {
    const pieces = this.sql
      .exec<{ id: number }>(
        "SELECT id FROM decisions WHERE parent_id = ? AND deleted_seq IS NULL ORDER BY id",
        parentId,
      )
      .toArray();
    for (const p of pieces) this.endDecision(p.id, now, reason);
  }

  /**
   * The live address decisions recorded with a Range decision's alert inside its range
   * (core `addressCompanions`): they end with it, so lifting a /64 lifts its addresses.
   */
  private addressCompanions(range: LedgerDecisionRow): number[] {
    if (range.alert_seq === null || range.ip_size === null) return [];
    return this.sql
      .exec<{ id: number }>(
        `SELECT id FROM decisions WHERE deleted_seq IS NULL AND ip_size = ? AND ip_start >= ?
           AND ip_end <= ? AND scope = 'Ip' AND type = ? AND alert_seq = ?`,
        range.ip_size,
        range.ip_start,
        range.ip_end,
        range.type,
        range.alert_seq,
      )
      .toArray()
      .map((r) => r.id);
  }

  /** Ends a row; it leaves the bouncers' view at the same seq unless it had left before. */
  private endDecision(id: number, now: number, reason: EndReason): void {
    const row = this.sql
      .exec<LedgerDecisionRow>(
        `UPDATE decisions SET deleted_seq = ?1, out_seq = COALESCE(out_seq, ?1), deleted_at = ?2,
           deleted_reason = ?3 WHERE id = ?4 RETURNING *`,
        this.nextSeq(),
        now,
        reason,
        id,
      )
      .toArray()[0];
    if (row) this.activity?.end(row, reason);
  }

  /** Live decisions whose time is up (their tracker's alarm has not told us yet). */
  overdue(before: number, limit: number): number[] {
    return this.sql
      .exec<{ id: number }>(
        `SELECT id FROM decisions WHERE deleted_seq IS NULL AND until <= ? AND parent_id IS NULL
         ORDER BY until LIMIT ?`,
        before,
        limit,
      )
      .toArray()
      .map((r) => r.id);
  }

  /** Fills the address bounds of decisions recorded before schema version 2 (once). */
  backfillIpKeys(): void {
    if (metaNumber(this.sql, "ip_keys") === 1) return;
    const rows = this.sql
      .exec<{ id: number; scope: string; value: string }>(
        "SELECT id, scope, value FROM decisions WHERE ip_size IS NULL AND scope IN ('Ip', 'Range')",
      )
      .toArray();
    for (const r of rows) {
      const k = ipKeyOfDecision(r.scope, r.value);
      if (!k) continue;
      this.sql.exec(
        "UPDATE decisions SET ip_size = ?, ip_start = ?, ip_end = ? WHERE id = ?",
        k.size,
        k.start,
        k.end,
        r.id,
      );
    }
    setMeta(this.sql, "ip_keys", 1);
  }

  decision(id: number): LedgerDecisionRow | undefined {
    return this.sql
      .exec<LedgerDecisionRow>("SELECT * FROM decisions WHERE id = ?", id)
      .toArray()[0];
  }

  pushOp(op: DeltaOp): void {
    this.sql.exec("INSERT INTO kv_pending (op) VALUES (?)", JSON.stringify(op));
  }

  batch(machine: string, id: string): BatchCounts | undefined {
    const row = this.sql
      .exec<{ counts: string }>(
        "SELECT counts FROM batches WHERE machine = ? AND id = ?",
        machine,
        id,
      )
      .toArray()[0];
    return row ? (JSON.parse(row.counts) as BatchCounts) : undefined;
  }

  /** Records a completed batch; the first completion wins. */
  completeBatch(machine: string, id: string, counts: BatchCounts, now: number): BatchCounts {
    const first = this.batch(machine, id);
    if (first) return first;
    this.sql.exec(
      "INSERT INTO batches (machine, id, counts, at) VALUES (?, ?, ?, ?)",
      machine,
      id,
      JSON.stringify(counts),
      now,
    );
    return counts;
  }

  /** Forgets batch ids and record refs older than `before` (retries come long before). */
  prune(before: number): void {
    this.sql.exec("DELETE FROM batches WHERE at < ?", before);
    this.sql.exec("DELETE FROM refs WHERE at < ?", before);
  }
}
