import { metaNumber, setMeta } from "../migrate";

/**
 * The Ledger's retention (RETENTION_DAYS, RETENTION_MAX_ALERTS,
 * RETENTION_MAX_ENDED_DECISIONS): alerts and ended decisions older than the age, and the
 * oldest beyond the counts, are deleted by the cron in bounded chunks. What the rest still
 * needs stays: an alert any kept decision points to (the console shows a decision's
 * alert), and every live decision. A bouncer whose stream cursor is older than the last
 * deletion removed here cannot be told of it any more: its next pull is a startup (the
 * whole active set), recorded as `purged_seq`.
 */

export interface RetentionPolicy {
  days: number;
  maxAlerts: number;
  maxEndedDecisions: number;
}

export interface RetentionReport {
  alerts: number;
  decisions: number;
}

const DAY_MS = 86_400_000;
/** Rows deleted per table and sweep: the cron's call stays short. */
export const RETENTION_CHUNK = 5_000;

/** The seq below which a stream cursor may have missed deletions. */
export function purgedSeq(sql: SqlStorage): number {
  return metaNumber(sql, "purged_seq") ?? 0;
}

export function sweep(sql: SqlStorage, p: RetentionPolicy, now: number): RetentionReport {
  const before = now - p.days * DAY_MS;
  const decisions = sweepDecisions(sql, p, before);
  const alerts = sweepAlerts(sql, p, before);
  return { alerts, decisions };
}

function count(sql: SqlStorage, query: string): number {
  return sql.exec<{ n: number }>(query).one().n;
}

function sweepDecisions(sql: SqlStorage, p: RetentionPolicy, before: number): number {
  const ended = count(sql, "SELECT COUNT(*) AS n FROM decisions WHERE deleted_seq IS NOT NULL");
  const over = Math.max(0, ended - p.maxEndedDecisions);
  const cut =
    over > 0
      ? (sql
          .exec<{ s: number }>(
            `SELECT deleted_seq AS s FROM decisions WHERE deleted_seq IS NOT NULL
             ORDER BY deleted_seq LIMIT 1 OFFSET ?`,
            over - 1,
          )
          .toArray()[0]?.s ?? 0)
      : 0;
  const gone = sql
    .exec<{ deleted_seq: number }>(
      `DELETE FROM decisions WHERE id IN (
         SELECT id FROM decisions WHERE deleted_seq IS NOT NULL
           AND (deleted_at < ? OR deleted_seq <= ?)
         ORDER BY deleted_seq LIMIT ?)
       RETURNING deleted_seq`,
      before,
      cut,
      RETENTION_CHUNK,
    )
    .toArray();
  const top = gone.reduce((m, r) => Math.max(m, r.deleted_seq), 0);
  if (top > purgedSeq(sql)) setMeta(sql, "purged_seq", top);
  return gone.length;
}

function sweepAlerts(sql: SqlStorage, p: RetentionPolicy, before: number): number {
  const total = count(sql, "SELECT COUNT(*) AS n FROM alerts");
  const over = Math.max(0, total - p.maxAlerts);
  const cut = over > 0 ? oldestKept(sql, over) : 0;
  return sql.exec(
    `DELETE FROM alerts WHERE seq IN (
       SELECT seq FROM alerts a WHERE (a.created < ? OR a.seq <= ?)
         AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.alert_seq = a.seq)
       ORDER BY seq LIMIT ?)`,
    before,
    cut,
    RETENTION_CHUNK,
  ).rowsWritten;
}

/** The seq at or below which `over` alerts lie (the oldest beyond the count). */
function oldestKept(sql: SqlStorage, over: number): number {
  return (
    sql
      .exec<{ seq: number }>("SELECT seq FROM alerts ORDER BY seq LIMIT 1 OFFSET ?", over - 1)
      .toArray()[0]?.seq ?? 0
  );
}
