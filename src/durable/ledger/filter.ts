import type { IpKey } from "./ipkey";

/**
 * Decision filters as SQL, shared by the bouncer API (CrowdSec's filters), watchers'
 * deletes and the admin API. Values are always bound parameters.
 */
export interface DecisionFilter {
  /** Canonical scope names (`Ip`, `Range`, `Country`, `AS`) or custom ones, exact. */
  scopes?: string[];
  origins?: string[];
  types?: string[];
  value?: string;
  /** Exact scenario. */
  scenario?: string;
  /** The scenario contains one of these, case-insensitively. */
  scenarioContains?: string[];
  /** The scenario contains none of these, case-insensitively. */
  scenarioExcludes?: string[];
  /**
   * `contains`: decisions whose addresses hold all of `key` (the IP's own decision and the
   * ranges around it); otherwise decisions lying inside `key`.
   */
  ip?: { key: IpKey; contains: boolean };
  alert?: number;
  /** Only decisions of alerts this watcher machine pushed. */
  machine?: string;
}

export type SqlValue = string | number | null;

export interface SqlPart {
  sql: string;
  params: SqlValue[];
}

/**
 * `filter` on the decisions alias `a`, as one AND-ed condition. `live`: the query only
 * reads live rows (`a.deleted_seq IS NULL`), so the IP condition can use the live-address
 * index; `ip: false` leaves the IP condition out (a row with the same scope and value as
 * one that passed it passes it too).
 */
export function filterSql(
  f: DecisionFilter,
  a: string,
  opts: { live: boolean; ip?: boolean } = { live: true },
): SqlPart {
  const conds: string[] = [];
  const params: SqlValue[] = [];
  const list = (column: string, values: readonly string[] | undefined) => {
    if (values === undefined) return;
    if (values.length === 0) {
      conds.push("0");
      return;
    }
    conds.push(`${a}.${column} IN (${values.map(() => "?").join(", ")})`);
    params.push(...values);
  };
  list("scope", f.scopes);
  list("origin", f.origins);
  list("type", f.types);
  if (f.value !== undefined) {
    conds.push(`${a}.value = ?`);
    params.push(f.value);
  }
  if (f.scenario !== undefined) {
    conds.push(`${a}.scenario = ?`);
    params.push(f.scenario);
  }
  if (f.alert !== undefined) {
    conds.push(`${a}.alert_seq = ?`);
    params.push(f.alert);
  }
  if (f.machine !== undefined) {
    conds.push(`EXISTS (SELECT 1 FROM alerts m WHERE m.seq = ${a}.alert_seq AND m.machine = ?)`);
    params.push(f.machine);
  }
  const words = (ws: readonly string[]) => ws.map(() => `instr(lower(${a}.scenario), ?) > 0`);
  if (f.scenarioContains && f.scenarioContains.length > 0) {
    conds.push(`(${words(f.scenarioContains).join(" OR ")})`);
    params.push(...f.scenarioContains.map((w) => w.toLowerCase()));
  }
  if (f.scenarioExcludes && f.scenarioExcludes.length > 0) {
    conds.push(`NOT (${words(f.scenarioExcludes).join(" OR ")})`);
    params.push(...f.scenarioExcludes.map((w) => w.toLowerCase()));
  }
  if (f.ip && opts.ip !== false) {
    const part = ipSql(f.ip.key, f.ip.contains, a, opts.live);
    conds.push(part.sql);
    params.push(...part.params);
  }
  return { sql: conds.length === 0 ? "1" : conds.join(" AND "), params };
}

/**
 * Containment: the exact block (an `Ip` decision, or a range equal to the query) plus
 * the ranges around it. The two parts are separate index probes on live rows; scanning
 * `ip_start <= q` alone would read half the table.
 */
function ipSql(key: IpKey, contains: boolean, a: string, live: boolean): SqlPart {
  if (!contains) {
    return {
      sql: `(${a}.ip_size = ? AND ${a}.ip_start >= ? AND ${a}.ip_end <= ?)`,
      params: [key.size, key.start, key.end],
    };
  }
  if (!live) {
    return {
      sql: `(${a}.ip_size = ? AND ${a}.ip_start <= ? AND ${a}.ip_end >= ?)`,
      params: [key.size, key.start, key.end],
    };
  }
  return {
    sql: `${a}.id IN (SELECT id FROM decisions WHERE deleted_seq IS NULL AND ip_size = ?
        AND ip_start = ? AND ip_end = ?
      UNION ALL SELECT id FROM decisions WHERE deleted_seq IS NULL AND ip_size = ?
        AND ip_start <> ip_end AND ip_start <= ? AND ip_end >= ?)`,
    params: [key.size, key.start, key.end, key.size, key.start, key.end],
  };
}
