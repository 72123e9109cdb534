import { toLapiDecision } from "../../contract/lapi";
import { type DecisionFilter, filterSql, type SqlValue } from "./filter";
import type { LedgerDecisionRow } from "./store";

/**
 * What a bouncer receives, read from the decisions table by sequence number (never by
 * time), in pages of JSON text (CrowdSec's decision objects, comma-separated) so a
 * 100k-decision startup dump crosses the RPC boundary as a few strings.
 *
 * A pull works on a snapshot: `upto` is the Ledger's seq when it began, and every page
 * reads changes up to it, so the cursor it leaves (`upto`) is exact whatever happens
 * between pages.
 *
 * - `live`: active decisions added up to `upto` (the startup dump, `GET /v1/decisions`),
 *   by id.
 * - `new`: decisions added in (`from`, `upto`] and still active, by seq.
 * - `deleted`: decisions that ended in (`from`, `upto`], by their deletion seq, that the
 *   bouncer could have received (added at or before `from`).
 *
 * With `dedupe` (the stream), filtering comes first, then one decision per (value, type,
 * scope): `live`/`new` send the longest-lasting active one (the latest id on a tie), and
 * `deleted` names a key only when no active decision passing the filters is left for it
 * (bouncers forget a value on `deleted`), once. CrowdSec applies the longest-decision
 * rule before its origin filter, so a community ban could hide a local one from a bouncer
 * asking for local origins only; here it cannot.
 */

export type PartKind = "live" | "new" | "deleted";

const encoder = new TextEncoder();

export interface PullPlan {
  upto: number;
  from: number;
  filter: DecisionFilter;
  dedupe: boolean;
  /** Each part of the answer in order; null renders as JSON `null` (nothing asked). */
  parts: (PartKind | null)[];
  pageSize: number;
  /** The cursor to move to `upto` once the last page is read; null: none (since=, list). */
  commit: { bouncer: number; ip: string } | null;
}

export interface Page {
  /**
   * Decision objects, comma-separated, without brackets, as UTF-8 (empty when none):
   * encoded here so the Worker only copies bytes to the bouncer.
   */
  json: Uint8Array;
  count: number;
  /** Pass as `after` for the next page; null on the last one. */
  next: number | null;
}

export function readPage(
  sql: SqlStorage,
  plan: PullPlan,
  part: PartKind,
  after: number | null,
  now: number,
): Page {
  const q = pageQuery(plan, part, after, now);
  const rows = sql.exec<LedgerDecisionRow>(q.sql, ...q.params).toArray();
  const more = rows.length > plan.pageSize;
  if (more) rows.length = plan.pageSize;
  let json = "";
  for (let i = 0; i < rows.length; i++) {
    if (i > 0) json += ",";
    json += JSON.stringify(toLapiDecision(rows[i] as LedgerDecisionRow, now));
  }
  const last = rows[rows.length - 1];
  return {
    json: encoder.encode(json),
    count: rows.length,
    next: more && last ? keyOf(part, last) : null,
  };
}

function keyOf(part: PartKind, row: LedgerDecisionRow): number {
  if (part === "live") return row.id;
  if (part === "new") return row.seq;
  return row.deleted_seq as number;
}

function pageQuery(
  plan: PullPlan,
  part: PartKind,
  after: number | null,
  now: number,
): { sql: string; params: SqlValue[] } {
  const f = filterSql(plan.filter, "d", { live: part !== "deleted" });
  const limit = plan.pageSize + 1;
  if (part === "deleted") return deletedQuery(plan, f, after ?? plan.from, now, limit);
  const longer = plan.dedupe ? longerExists(plan, now) : { sql: "", params: [] };
  // `live` walks ids (the live-id index), `new` walks seqs from the cursor on. The index
  // is named: SQLite would otherwise pick (deleted_seq, until) and read every live row.
  const key = part === "live" ? "d.id" : "d.seq";
  const index = part === "live" ? "decisions_live_id" : "decisions_seq";
  const start = part === "live" ? (after ?? 0) : (after ?? plan.from);
  return {
    sql: `SELECT d.* FROM decisions d INDEXED BY ${index}
      WHERE d.deleted_seq IS NULL AND d.until > ? AND ${key} > ? AND d.seq <= ?
        AND ${f.sql} ${longer.sql}
      ORDER BY ${key} LIMIT ?`,
    params: [now, start, plan.upto, ...f.params, ...longer.params, limit],
  };
}

/** Another active decision for the same key passing the filters outlasts `d`. */
function longerExists(plan: PullPlan, now: number): { sql: string; params: SqlValue[] } {
  const o = filterSql(plan.filter, "o", { live: true, ip: false });
  return {
    sql: `AND NOT EXISTS (SELECT 1 FROM decisions o WHERE o.deleted_seq IS NULL
        AND o.value = d.value AND o.type = d.type AND o.scope = d.scope AND o.until > ?
        AND o.seq <= ? AND (o.until > d.until OR (o.until = d.until AND o.id > d.id))
        AND ${o.sql})`,
    params: [now, plan.upto, ...o.params],
  };
}

function deletedQuery(
  plan: PullPlan,
  f: { sql: string; params: SqlValue[] },
  after: number,
  now: number,
  limit: number,
): { sql: string; params: SqlValue[] } {
  if (!plan.dedupe) {
    return {
      sql: `SELECT d.* FROM decisions d INDEXED BY decisions_deleted_seq
        WHERE d.deleted_seq > ? AND d.deleted_seq <= ? AND d.seq <= ? AND ${f.sql}
        ORDER BY d.deleted_seq LIMIT ?`,
      params: [after, plan.upto, plan.from, ...f.params, limit],
    };
  }
  const live = filterSql(plan.filter, "o", { live: true, ip: false });
  const later = filterSql(plan.filter, "l", { live: false, ip: false });
  return {
    sql: `SELECT d.* FROM decisions d INDEXED BY decisions_deleted_seq
      WHERE d.deleted_seq > ? AND d.deleted_seq <= ? AND d.seq <= ? AND ${f.sql}
      AND NOT EXISTS (SELECT 1 FROM decisions o WHERE o.deleted_seq IS NULL
        AND o.value = d.value AND o.type = d.type AND o.scope = d.scope AND o.until > ?
        AND ${live.sql})
      AND NOT EXISTS (SELECT 1 FROM decisions l WHERE l.value = d.value AND l.type = d.type
        AND l.scope = d.scope AND l.deleted_seq > d.deleted_seq AND l.deleted_seq <= ?
        AND l.seq <= ? AND ${later.sql})
      ORDER BY d.deleted_seq LIMIT ?`,
    params: [
      after,
      plan.upto,
      plan.from,
      ...f.params,
      now,
      ...live.params,
      plan.upto,
      plan.from,
      ...later.params,
      limit,
    ],
  };
}
