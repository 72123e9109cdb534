import { metaNumber, setMeta } from "../migrate";
import type { SqlValue } from "./filter";

/**
 * The admin metrics' counters: `(metric, a, b) → n`, cumulative since the first count
 * (`meta.counters_since`). Metrics: `ingest.lines|parsed|unparsed|batches` (a = machine,
 * b = source type), `alerts` (a = scenario, b = "" or "allowlisted"), `decisions`
 * (a = origin, b = type), `edge` (a = outcome).
 */

export function bump(
  sql: SqlStorage,
  metric: string,
  a: string,
  b: string,
  by: number,
  now: number,
): void {
  if (!(by > 0)) return;
  if (metaNumber(sql, "counters_since") === undefined) setMeta(sql, "counters_since", now);
  sql.exec(
    `INSERT INTO counters (metric, a, b, n) VALUES (?, ?, ?, ?)
     ON CONFLICT (metric, a, b) DO UPDATE SET n = n + excluded.n`,
    metric,
    a,
    b,
    by,
  );
}

export type CounterRow = {
  metric: string;
  a: string;
  b: string;
  n: number;
};

export function counters(sql: SqlStorage, metrics: readonly string[]): CounterRow[] {
  const params: SqlValue[] = [...metrics];
  return sql
    .exec<CounterRow>(
      `SELECT metric, a, b, n FROM counters WHERE metric IN (${metrics.map(() => "?").join(", ")})
       ORDER BY metric, a, b`,
      ...params,
    )
    .toArray();
}

export function countersSince(sql: SqlStorage): number | undefined {
  return metaNumber(sql, "counters_since");
}

/** The `series` table's bucket: counts over time are kept per 5 minutes. */
export const SERIES_STEP_MS = 5 * 60_000;
/** Series older than this are pruned (the overview's longest window is a week). */
export const SERIES_KEEP_MS = 8 * 24 * 3_600_000;

/** Adds `by` to `metric`/`a` in the 5-minute bucket of `now` (the overview's charts). */
export function bumpSeries(sql: SqlStorage, metric: string, a: string, by: number, now: number) {
  if (!(by > 0)) return;
  sql.exec(
    `INSERT INTO series (metric, a, at, n) VALUES (?, ?, ?, ?)
     ON CONFLICT (metric, at, a) DO UPDATE SET n = n + excluded.n`,
    metric,
    a,
    now - (now % SERIES_STEP_MS),
    by,
  );
}

export function pruneSeries(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM series WHERE at < ?", now - SERIES_KEEP_MS);
}
