import type { AdminAlert, AdminAlertDetail, AdminDecision } from "../../contract/admin";
import type { LapiAlertOut } from "../../contract/lapi-alert";
import { type DecisionFilter, filterSql, type SqlValue } from "./filter";
import type { IpKey } from "./ipkey";
import type { LedgerDecisionRow } from "./store";
import {
  type AlertRow,
  adminAlert,
  adminAlertDetail,
  adminDecision,
  lapiAlert,
  renderEach,
} from "./views";

/** Admin and watcher reads of decisions and alerts (newest first, paged by id). */

export interface DecisionQuery {
  filter: DecisionFilter;
  /** Ended decisions too. */
  all: boolean;
  limit: number;
  /** Ids below this (the previous page's `next_cursor`). */
  cursor?: number | undefined;
}

/** Alert filters, already parsed (times in ms, values canonical). */
export interface AlertQuery {
  /** One alert (its id). */
  seq?: number | undefined;
  /** Alerts pushed by this watcher machine. */
  machine?: string | undefined;
  value?: string | undefined;
  scope?: string | undefined;
  /** Case-insensitive substring. */
  scenarioContains?: string | undefined;
  /** Exact (CrowdSec's `scenario=`). */
  scenario?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
  activeDecision?: boolean | undefined;
  allowlisted?: boolean | undefined;
  origin?: string | undefined;
  type?: string | undefined;
  /** No decision of one of these origins (CrowdSec's `include_capi=false`). */
  excludeOrigins?: string[] | undefined;
  /** A decision on this address (CrowdSec's alert `ip`/`range` filters). */
  decisionIp?: { key: IpKey; contains: boolean } | undefined;
  /** `false`: no alert from a scenario in simulation. */
  simulated?: false | undefined;
  createdBefore?: number | undefined;
  limit: number;
  cursor?: number | undefined;
}

export function listDecisions(
  sql: SqlStorage,
  q: DecisionQuery,
  now: number,
): { decisions: AdminDecision[]; next_cursor: number | null } {
  const f = filterSql(q.filter, "d", { live: !q.all });
  const live = q.all ? "1" : "d.deleted_seq IS NULL AND d.until > ?";
  const params: SqlValue[] = q.all ? [] : [now];
  const rows = sql
    .exec<LedgerDecisionRow>(
      `SELECT d.* FROM decisions d WHERE ${live} AND d.id < ? AND d.parent_id IS NULL AND ${f.sql}
       ORDER BY d.id DESC LIMIT ?`,
      ...params,
      q.cursor ?? Number.MAX_SAFE_INTEGER,
      ...f.params,
      q.limit + 1,
    )
    .toArray();
  const more = rows.length > q.limit;
  if (more) rows.length = q.limit;
  return {
    decisions: renderEach(
      rows,
      (r) => adminDecision(r, now),
      (r) => r.id,
      "decision",
    ),
    next_cursor: more ? (rows[rows.length - 1]?.id ?? null) : null,
  };
}

/** Ids of the active decisions matching `filter` (what a delete by filter ends). */
export function liveDecisionIds(sql: SqlStorage, filter: DecisionFilter): number[] {
  const f = filterSql(filter, "d", { live: true });
  return sql
    .exec<{ id: number }>(
      `SELECT d.id FROM decisions d WHERE d.deleted_seq IS NULL AND d.parent_id IS NULL AND ${f.sql}`,
      ...f.params,
    )
    .toArray()
    .map((r) => r.id);
}

/** The live ones among `ids`, optionally only those of alerts `machine` pushed. */
export function liveIdsAmong(sql: SqlStorage, ids: readonly number[], machine?: string): number[] {
  if (ids.length === 0) return [];
  const f = filterSql(machine === undefined ? {} : { machine }, "d", { live: true });
  return sql
    .exec<{ id: number }>(
      `SELECT d.id FROM decisions d WHERE d.deleted_seq IS NULL
         AND d.id IN (${ids.map(() => "?").join(", ")}) AND ${f.sql}`,
      ...ids,
      ...f.params,
    )
    .toArray()
    .map((r) => r.id);
}

/** The ids of the alerts matching `q` (up to `q.limit`), newest first. */
export function alertSeqs(sql: SqlStorage, q: AlertQuery, now: number): number[] {
  return alertRows(sql, q, now, q.limit).map((r) => r.seq);
}

export function listAlerts(
  sql: SqlStorage,
  q: AlertQuery,
  now: number,
): { alerts: AdminAlert[]; next_cursor: number | null } {
  const rows = alertRows(sql, q, now, q.limit + 1);
  const more = rows.length > q.limit;
  if (more) rows.length = q.limit;
  const decisions = decisionsOf(sql, rows);
  return {
    alerts: renderEach(
      rows,
      (r) => adminAlert(r, decisions.get(r.seq) ?? [], now),
      (r) => r.seq,
      "alert",
    ),
    next_cursor: more ? (rows[rows.length - 1]?.seq ?? null) : null,
  };
}

export function lapiAlerts(sql: SqlStorage, q: AlertQuery, now: number): LapiAlertOut[] {
  const rows = alertRows(sql, q, now, q.limit);
  const decisions = decisionsOf(sql, rows);
  return renderEach(
    rows,
    (r) => lapiAlert(r, decisions.get(r.seq) ?? [], now),
    (r) => r.seq,
    "alert",
  );
}

export function lapiAlertById(sql: SqlStorage, id: number, now: number): LapiAlertOut | null {
  const [alert] = lapiAlerts(sql, { seq: id, limit: 1 }, now);
  return alert ?? null;
}

export function alertDetail(sql: SqlStorage, id: number, now: number): AdminAlertDetail | null {
  const row = sql
    .exec<AlertRow>("SELECT seq, created, machine, alert FROM alerts WHERE seq = ?", id)
    .toArray()[0];
  return row ? adminAlertDetail(row, decisionsOf(sql, [row]).get(row.seq) ?? [], now) : null;
}

function alertRows(sql: SqlStorage, q: AlertQuery, now: number, limit: number): AlertRow[] {
  const conds: string[] = ["a.seq < ?"];
  const params: SqlValue[] = [q.cursor ?? Number.MAX_SAFE_INTEGER];
  const add = (cond: string, ...values: SqlValue[]) => {
    conds.push(cond);
    params.push(...values);
  };
  if (q.seq !== undefined) add("a.seq = ?", q.seq);
  if (q.machine !== undefined) add("a.machine = ?", q.machine);
  if (q.value !== undefined) add("a.value = ?", q.value);
  if (q.scope !== undefined) add("a.scope = ?", q.scope);
  if (q.scenario !== undefined) add("a.scenario = ?", q.scenario);
  if (q.scenarioContains !== undefined) {
    add("instr(lower(a.scenario), ?) > 0", q.scenarioContains.toLowerCase());
  }
  if (q.since !== undefined) add("a.created >= ?", q.since);
  if (q.until !== undefined) add("a.created <= ?", q.until);
  if (q.createdBefore !== undefined) add("a.created <= ?", q.createdBefore);
  if (q.allowlisted !== undefined) add("a.allowlisted = ?", q.allowlisted ? 1 : 0);
  if (q.simulated === false) add("coalesce(json_extract(a.alert, '$.simulated'), 0) = 0");
  if (q.excludeOrigins !== undefined && q.excludeOrigins.length > 0) {
    add(
      `NOT EXISTS (SELECT 1 FROM decisions o WHERE o.alert_seq = a.seq
         AND o.origin IN (${q.excludeOrigins.map(() => "?").join(", ")}))`,
      ...q.excludeOrigins,
    );
  }
  if (q.decisionIp !== undefined) {
    const f = filterSql({ ip: q.decisionIp }, "z", { live: false });
    add(`EXISTS (SELECT 1 FROM decisions z WHERE z.alert_seq = a.seq AND ${f.sql})`, ...f.params);
  }
  const x: string[] = [];
  const xp: SqlValue[] = [];
  if (q.activeDecision) {
    x.push("x.deleted_seq IS NULL AND x.until > ?");
    xp.push(now);
  }
  if (q.origin !== undefined) {
    x.push("x.origin = ?");
    xp.push(q.origin);
  }
  if (q.type !== undefined) {
    x.push("x.type = ?");
    xp.push(q.type);
  }
  if (x.length > 0) {
    add(
      `EXISTS (SELECT 1 FROM decisions x WHERE x.alert_seq = a.seq AND ${x.join(" AND ")})`,
      ...xp,
    );
  }
  if (q.activeDecision === false) {
    add(
      "NOT EXISTS (SELECT 1 FROM decisions y WHERE y.alert_seq = a.seq AND y.deleted_seq IS NULL AND y.until > ?)",
      now,
    );
  }
  return sql
    .exec<AlertRow>(
      `SELECT a.seq, a.created, a.machine, a.alert FROM alerts a WHERE ${conds.join(" AND ")}
       ORDER BY a.seq DESC LIMIT ?`,
      ...params,
      limit,
    )
    .toArray();
}

/** At most this many bound parameters per statement (the Durable Object SQL limit is 100). */
const IN_CHUNK = 90;

function decisionsOf(
  sql: SqlStorage,
  alerts: readonly AlertRow[],
): Map<number, LedgerDecisionRow[]> {
  const out = new Map<number, LedgerDecisionRow[]>();
  const seqs = alerts.map((a) => a.seq);
  for (let i = 0; i < seqs.length; i += IN_CHUNK) {
    const part = seqs.slice(i, i + IN_CHUNK);
    const rows = sql
      .exec<LedgerDecisionRow>(
        `SELECT * FROM decisions WHERE alert_seq IN (${part.map(() => "?").join(", ")}) ORDER BY id`,
        ...part,
      )
      .toArray();
    for (const r of rows) {
      const seq = r.alert_seq as number;
      const list = out.get(seq);
      if (list) list.push(r);
      else out.set(seq, [r]);
    }
  }
  return out;
}
