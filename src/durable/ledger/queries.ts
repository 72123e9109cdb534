import type { AdminAlert, AdminAlertDetail, AdminDecision } from "../../contract/admin";
import type { LapiAlertOut } from "../../contract/lapi-alert";
import { type DecisionFilter, filterSql, type SqlValue } from "./filter";
import type { LedgerDecisionRow } from "./store";
import { type AlertRow, adminAlert, adminAlertDetail, adminDecision, lapiAlert } from "./views";

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
      `SELECT d.* FROM decisions d WHERE ${live} AND d.id < ? AND ${f.sql}
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
    decisions: rows.map((r) => adminDecision(r, now)),
    next_cursor: more ? (rows[rows.length - 1]?.id ?? null) : null,
  };
}

/** Ids of the active decisions matching `filter` (what a delete by filter ends). */
export function liveDecisionIds(sql: SqlStorage, filter: DecisionFilter): number[] {
  const f = filterSql(filter, "d", { live: true });
  return sql
    .exec<{ id: number }>(
      `SELECT d.id FROM decisions d WHERE d.deleted_seq IS NULL AND ${f.sql}`,
      ...f.params,
    )
    .toArray()
    .map((r) => r.id);
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
    alerts: rows.map((r) => adminAlert(r, decisions.get(r.seq) ?? [], now)),
    next_cursor: more ? (rows[rows.length - 1]?.seq ?? null) : null,
  };
}

export function lapiAlerts(sql: SqlStorage, q: AlertQuery, now: number): LapiAlertOut[] {
  const rows = alertRows(sql, q, now, q.limit);
  const decisions = decisionsOf(sql, rows);
  return rows.map((r) => lapiAlert(r, decisions.get(r.seq) ?? [], now));
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
  if (q.value !== undefined) add("a.value = ?", q.value);
  if (q.scope !== undefined) add("a.scope = ?", q.scope);
  if (q.scenario !== undefined) add("a.scenario = ?", q.scenario);
  if (q.scenarioContains !== undefined) {
    add("instr(lower(a.scenario), ?) > 0", q.scenarioContains.toLowerCase());
  }
  if (q.since !== undefined) add("a.created >= ?", q.since);
  if (q.until !== undefined) add("a.created <= ?", q.until);
  if (q.allowlisted !== undefined) add("a.allowlisted = ?", q.allowlisted ? 1 : 0);
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

function decisionsOf(
  sql: SqlStorage,
  alerts: readonly AlertRow[],
): Map<number, LedgerDecisionRow[]> {
  const out = new Map<number, LedgerDecisionRow[]>();
  if (alerts.length === 0) return out;
  const seqs = alerts.map((a) => a.seq);
  const rows = sql
    .exec<LedgerDecisionRow>(
      `SELECT * FROM decisions WHERE alert_seq IN (${seqs.map(() => "?").join(", ")}) ORDER BY id`,
      ...seqs,
    )
    .toArray();
  for (const r of rows) {
    const seq = r.alert_seq as number;
    const list = out.get(seq);
    if (list) list.push(r);
    else out.set(seq, [r]);
  }
  return out;
}
