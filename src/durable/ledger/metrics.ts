import type { Metrics } from "../../contract/admin-access";
import { iso } from "./bouncers";
import { type CounterRow, counters, countersSince } from "./counters";

/** The admin metrics report from the counters and the live decisions. */
export function metricsReport(
  sql: SqlStorage,
  bouncers: Metrics["bouncers"],
  now: number,
): Metrics {
  const rows = counters(sql, [
    "ingest.batches",
    "ingest.lines",
    "ingest.parsed",
    "ingest.unparsed",
    "alerts",
    "decisions",
    "edge",
  ]);
  const since = countersSince(sql);
  return {
    since: since === undefined ? null : iso(since),
    ingest: ingestRows(rows),
    overflows: overflowRows(rows),
    decisions: {
      created: rows
        .filter((r) => r.metric === "decisions")
        .map((r) => ({ origin: r.a, type: r.b, count: r.n })),
      active: sql
        .exec<{ origin: string; type: string; count: number }>(
          `SELECT origin, type, COUNT(*) AS count FROM decisions
           WHERE deleted_seq IS NULL AND until > ? AND parent_id IS NULL
           GROUP BY origin, type ORDER BY origin, type`,
          now,
        )
        .toArray()
        .map((r) => ({ origin: r.origin, type: r.type, count: Number(r.count) })),
    },
    edge: rows.filter((r) => r.metric === "edge").map((r) => ({ outcome: r.a, count: r.n })),
    bouncers,
  };
}

function ingestRows(rows: readonly CounterRow[]): Metrics["ingest"] {
  const by = new Map<string, Metrics["ingest"][number]>();
  for (const r of rows) {
    if (!r.metric.startsWith("ingest.")) continue;
    const k = `${r.a}\n${r.b}`;
    let m = by.get(k);
    if (!m) {
      m = { machine: r.a, type: r.b, batches: 0, lines: 0, parsed: 0, unparsed: 0 };
      by.set(k, m);
    }
    const field = r.metric.slice("ingest.".length) as "batches" | "lines" | "parsed" | "unparsed";
    m[field] = r.n;
  }
  return [...by.values()];
}

function overflowRows(rows: readonly CounterRow[]): Metrics["overflows"] {
  const by = new Map<string, Metrics["overflows"][number]>();
  for (const r of rows) {
    if (r.metric !== "alerts") continue;
    let m = by.get(r.a);
    if (!m) {
      m = { scenario: r.a, count: 0, allowlisted: 0 };
      by.set(r.a, m);
    }
    m.count += r.n;
    if (r.b === "allowlisted") m.allowlisted += r.n;
  }
  return [...by.values()];
}
