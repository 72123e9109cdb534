import { STATS_WINDOWS, type Stats, type StatsWindow } from "../../contract/admin-stats";
import { iso } from "./bouncers";

/** The console overview's counts over a window: from the alerts and decisions tables and `series`. */
export function statsReport(sql: SqlStorage, window: StatsWindow, now: number): Stats {
  const { spanMs, stepMs } = STATS_WINDOWS[window];
  const to = now - (now % stepMs) + stepMs;
  const from = to - spanMs;
  const alerts = perStep(sql, "SELECT created AS t FROM alerts WHERE created >= ?", from, stepMs);
  const decisions = perStep(
    sql,
    "SELECT start AS t FROM decisions WHERE start >= ? AND alert_seq IS NOT NULL",
    from,
    stepMs,
  );
  const buckets: Stats["buckets"] = [];
  for (let at = from, i = 0; at < to; at += stepMs, i++) {
    buckets.push({ at: iso(at), alerts: alerts[i] ?? 0, decisions: decisions[i] ?? 0 });
  }
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const active = sql
    .exec<{ n: number }>(
      "SELECT COUNT(*) AS n FROM decisions WHERE deleted_seq IS NULL AND until > ?",
      now,
    )
    .one().n;
  return {
    window,
    from: iso(from),
    to: iso(to),
    step_seconds: stepMs / 1000,
    buckets,
    totals: { alerts: sum(alerts), decisions: sum(decisions), active_decisions: Number(active) },
    top_scenarios: sql
      .exec<{ scenario: string; count: number }>(
        `SELECT scenario, COUNT(*) AS count FROM alerts WHERE created >= ?
         GROUP BY scenario ORDER BY count DESC, scenario LIMIT 10`,
        from,
      )
      .toArray(),
    top_countries: seriesTop(sql, "edge.country", from, 10).map((r) => ({
      country: r.a,
      count: r.n,
    })),
    top_asns: seriesTop(sql, "edge.asn", from, 10).map((r) => ({ asn: r.a, count: r.n })),
    edge: seriesTop(sql, "edge", from, 20).map((r) => ({ outcome: r.a, count: r.n })),
    lines: seriesTop(sql, "ingest.lines", from, 20).map((r) => ({ machine: r.a, count: r.n })),
  };
}

/** Counts per step from `from` of the times a query returns (one index range scan). */
function perStep(sql: SqlStorage, query: string, from: number, stepMs: number): number[] {
  const out: number[] = [];
  const rows = sql.exec<{ b: number; n: number }>(
    `SELECT CAST((t - ?) / ? AS INTEGER) AS b, COUNT(*) AS n FROM (${query}) GROUP BY b`,
    from,
    stepMs,
    from,
  );
  for (const r of rows) out[Number(r.b)] = Number(r.n);
  return out;
}

function seriesTop(
  sql: SqlStorage,
  metric: string,
  from: number,
  limit: number,
): { a: string; n: number }[] {
  return sql
    .exec<{ a: string; n: number }>(
      `SELECT a, SUM(n) AS n FROM series WHERE metric = ? AND at >= ?
       GROUP BY a ORDER BY n DESC, a LIMIT ?`,
      metric,
      from,
      limit,
    )
    .toArray()
    .map((r) => ({ a: r.a, n: Number(r.n) }));
}
